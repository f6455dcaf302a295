/*
 * Fuzz what the Keycloak 26 backend reads from the distribution: its
 * keycloak.conf (copied into the generated one, but for the options the
 * entrypoint writes) and its cache-ispn.xml (edited for a discovery of the
 * project's). The first byte chooses which the rest of the input is.
 */
#include "log.h"
#include "quarkus.h"
#include "settings.h"
#include "xml.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct settings s;
static struct property props[] = { { "initial_hosts", "a[7800],b[7800]" },
				   { "dns_query", "q\"<&>'" } };
static struct db_address addrs[] = { { "db1", 5432 }, { "fd00::1", 5433 } };
static struct keycloak_option options[] = {
	{ "spi-x-password", "$${x}\\", "KC_SPI_X_PASSWORD", true, false, false },
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_stream = fopen("/dev/null", "w");
	s.db.host = "db1";
	s.db.port = 5432;
	s.db.addrs = addrs;
	s.db.n_addrs = 2;
	s.db.name = "key$cloak";
	s.db.user = "kc";
	s.db.password = "p\\w${x}";
	s.cluster.node_name = "node1";
	s.cluster.bind_private = "10.0.0.1";
	s.cluster.protocol = "TCPPING";
	s.cluster.stack = "tcp";
	s.cluster.properties = props;
	s.cluster.n_properties = 2;
	s.admin.user = "admin";
	s.admin.password = "a$b";
	s.keycloak.v = options;
	s.keycloak.n = 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	char *text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	if (data[0] % 2 == 0) {
		struct quarkus_conf_input in = { .dist_conf = text, .dist_conf_path = "fuzz.conf" };
		struct buf out = { 0 };
		quarkus_render_conf(&s, &in, &out);
		buf_free(&out);
	} else {
		char *out = NULL;
		size_t out_len;
		if (quarkus_render_cache(&s, text, size - 1, &out, &out_len) == 0) {
			/* What comes out must be well-formed. */
			struct xml_doc check;
			struct xml_element root;
			if (xml_parse(&check, out, out_len, &root) != 0)
				abort();
			free(out);
		}
	}
	free(text);
	return 0;
}
