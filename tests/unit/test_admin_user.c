/*
 * The admin user file: PBKDF2-SHA256 with Keycloak's parameters, checked
 * against a value computed independently (Python's hashlib.pbkdf2_hmac with
 * the same password, salt and iterations), and the JSON shape the server
 * imports, parsed back with a strict reading of the nested strings.
 */
#include "admin_user.h"
#include "harness.h"

#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	unsigned char salt[ADMIN_SALT_BYTES];
	for (int i = 0; i < ADMIN_SALT_BYTES; i++)
		salt[i] = (unsigned char)i;

	char *json = admin_user_json("ad\"min\\x", "p\xc3\xa4\"ss<w>rd", salt);
	CHECK(json != NULL);
	if (!json)
		return harness_summary("admin_user");

	/* hashlib.pbkdf2_hmac('sha256', 'pä"ss<w>rd'.encode(), bytes(range(16)), 27500, 64) */
	CHECK(strstr(json, "\\\"value\\\":\\\"LS1DzIsfZGClXOm1feLGPcOZsL0sLdvQPI583dj/fuUYMYyWm"
			   "tWYdK0kCELUnJwXOoqPYi3I2hFJJVE9QlIiDw==\\\"") != NULL);
	CHECK(strstr(json, "\\\"salt\\\":\\\"AAECAwQFBgcICQoLDA0ODw==\\\"") != NULL);
	CHECK(strstr(json, "\\\"hashIterations\\\":27500") != NULL);
	CHECK(strstr(json, "\\\"algorithm\\\":\\\"pbkdf2-sha256\\\"") != NULL);
	/* The user name is JSON-escaped. */
	CHECK(strstr(json, "\"username\":\"ad\\\"min\\\\x\"") != NULL);
	CHECK(strstr(json, "\"realm\":\"master\"") != NULL);
	CHECK(strstr(json, "\"realmRoles\":[\"admin\"]") != NULL);
	/* The clear password is nowhere in it. */
	CHECK(strstr(json, "ss<w>rd") == NULL);
	free(json);

	/* A control character in the name is escaped, not written raw. */
	json = admin_user_json("a\nb", "x", salt);
	CHECK(json && strstr(json, "a\\u000ab") != NULL);
	free(json);
	return harness_summary("admin_user");
}
