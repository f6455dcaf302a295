/*
 * The editing machinery of the WildFly backend's standalone-ha.xml renderer
 * (wildfly_render.c), shared by the files that edit one subsystem each:
 * wildfly_datasource.c, wildfly_jgroups.c, wildfly_subsystems.c. Private to
 * them.
 *
 * An edit replaces one byte range of the distribution's document (an
 * element, or a start tag whose attribute changes) or inserts text at one
 * offset. The edits are collected first, then applied in order while the
 * original is copied, so everything outside them stays byte for byte as
 * the distribution wrote it. New lines are indented like their neighbours.
 *
 * Every function that can fail returns 0 or an exit code after logging one
 * line (log.h): EXIT_CONFIG for a setting that cannot be written,
 * EXIT_NOINPUT for a distribution file that is malformed or lacks an
 * element, EXIT_OSERR when memory runs out.
 */
#ifndef KHP_WILDFLY_EDIT_H
#define KHP_WILDFLY_EDIT_H

#include <stddef.h>

#include "buf.h"
#include "settings.h"
#include "xml.h"

/* The names users know the settings by, for messages. */
#define SETTING_DB_HOST "DB_ADDR"
#define SETTING_DB_USER "DB_USER"
#define SETTING_DB_PASSWORD "DB_PASSWORD"
#define SETTING_JGROUPS_PROTOCOL "JGROUPS_DISCOVERY_PROTOCOL"
#define SETTING_JGROUPS_PROPERTIES "JGROUPS_DISCOVERY_PROPERTIES"
#define SETTING_JGROUPS_STACK "JGROUPS_TRANSPORT_STACK"
#define SETTING_FAILURE_DETECTION "JGROUPS_FAILURE_DETECTION_TIMEOUT"

/* The datasource Keycloak's JPA and JDBC_PING use. */
#define KEYCLOAK_POOL "KeycloakDS"

/* Indentation copied from the document; longer runs are not reproduced. */
#define MAX_INDENT 64

struct edit {
	size_t start;
	size_t end;
	struct buf text;
};

struct render {
	const struct settings *s;
	struct xml_doc doc;
	struct xml_element profile;
	char unit[MAX_INDENT + 1];	/* one level of indentation */
	struct edit *edits;
	size_t n_edits;
};

/* Log a reason and return code. */
int refuse(struct render *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int malformed(struct render *r);
int out_of_memory(struct render *r);

/* A new edit replacing [start, end); the caller writes its text. */
struct buf *add_edit(struct render *r, size_t start, size_t end);

/* Replace el's start tag with one whose attribute name is value. */
int edit_attr(struct render *r, const struct xml_element *el, const char *name,
	      const char *value);

/* Find a child element, or say what the file lacks ("has no WHAT"). */
int require_child(struct render *r, const struct xml_element *parent, const char *name,
		  const char *attr, const char *value, enum xml_match how,
		  struct xml_element *found, const char *what);

/* The subsystem whose xmlns is prefix followed by "MAJOR.0" with MAJOR in
 * [min_major, max_major] (max_major 0: any). */
int find_subsystem(struct render *r, const char *prefix, const char *label,
		   unsigned min_major, unsigned max_major, struct xml_element *sub);

/* The last child element of parent; 1, 0 (none) or -1. */
int last_child(struct render *r, const struct xml_element *parent, struct xml_element *last);

/* Learn one level of indentation: how much deeper child sits than parent. */
void learn_unit(struct render *r, const struct xml_element *parent,
		const struct xml_element *child);

/* A new line indented like the element at pos, plus levels units. */
void new_line(struct render *r, struct buf *b, size_t pos, int levels);

/* Lines of fixed text, each at its level of indentation below pos. */
struct line {
	int level;
	const char *text;
};
void add_lines(struct render *r, struct buf *b, size_t pos, const struct line *lines,
	       size_t n);

/* A value from the settings, escaped, to be read by WildFly literally. */
int add_literal(struct render *r, struct buf *b, const char *setting, const char *value);
/* A value that may hold WildFly expressions on purpose, escaped. */
int add_text(struct render *r, struct buf *b, const char *setting, const char *value);

/* The edits of each subsystem. */
int render_datasources(struct render *r);
int render_jgroups(struct render *r);
int render_caches(struct render *r);
int render_keycloak_server(struct render *r);
int render_undertow(struct render *r);
int render_logging(struct render *r);

#endif
