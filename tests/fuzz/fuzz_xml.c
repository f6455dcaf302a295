/*
 * Fuzz what reads the distribution's XML: the scanner (xml_parse and the
 * queries the renderer makes) and the whole rendering of standalone-ha.xml
 * from an arbitrary document, with settings that reach every edit.
 */
#include "log.h"
#include "wildfly.h"
#include "settings.h"
#include "xml.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct settings s;
static struct property props[] = { { "initial_hosts", "a[7600],b[7600]" },
				   { "port_range", "0" } };
static struct db_address addrs[] = { { "db1", 5432 }, { "fd00::1", 5433 } };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_stream = fopen("/dev/null", "w");
	s.db.host = "db1";
	s.db.port = 5432;
	s.db.addrs = addrs;
	s.db.n_addrs = 2;
	s.db.name = "key&cloak";
	s.db.user = "kc<user>";
	s.db.password = "p\"w${x}";
	s.db.schema = "kc";
	s.db.sslmode = "verify-full";
	s.db.sslrootcert = "/ca dir/ca.pem";
	s.db.jdbc_params = "a=b&c=d";
	s.cluster.node_name = "node1";
	s.cluster.bind_address = "10.0.0.1";
	s.cluster.bind_private = "10.0.0.1";
	s.cluster.protocol = "TCPPING";
	s.cluster.stack = "tcp";
	s.cluster.properties = props;
	s.cluster.n_properties = 2;
	s.cluster.cache_owners = 2;
	s.cluster.cache_owners_auth = 2;
	s.frontend.hostname = "sso.example.com";
	s.frontend.https_port = 443;
	s.frontend.always_https = TRI_TRUE;
	s.frontend.proxy_address_forwarding = TRI_TRUE;
	s.server.log_level = "DEBUG";
	s.server.root_log_level = "WARN";
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_doc doc;
	struct xml_element root, child;
	char *out, buf[64];
	size_t out_len, cursor = 0;

	if (xml_parse(&doc, (const char *)data, size, &root) == 0) {
		while (xml_next_child(&doc, &root, &cursor, &child) == 1) {
			xml_attr_value(&doc, &child, "name", buf, sizeof(buf));
			xml_attr_matches(&doc, &child, "xmlns", "urn:", XML_PREFIX);
		}
	}
	/* Odd sizes also try a second shape of the settings. */
	s.frontend.url = size % 2 ? "https://sso.example.com/auth" : NULL;
	s.frontend.hostname = size % 2 ? NULL : "sso.example.com";
	s.cluster.protocol = size % 3 == 0 ? "PING" : "TCPPING";
	s.cluster.stack = size % 3 == 0 ? "udp" : "tcp";
	if (render_standalone_ha(&s, (const char *)data, size, &out, &out_len) == 0) {
		/* What comes out must be well-formed. */
		struct xml_doc check;
		if (xml_parse(&check, out, out_len, &root) != 0)
			abort();
		free(out);
	}
	return 0;
}
