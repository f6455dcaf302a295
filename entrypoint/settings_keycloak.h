/*
 * Keycloak's own ways to give it options (Keycloak 26): KC_NAME variables,
 * and --name=value arguments to the server. Those that name a setting of
 * the project (KC_DB_URL_HOST is DB_ADDR's synonym) are read as that
 * setting: the arguments as a layer above --set, the variables among the
 * environment's synonyms. The others are kept as they are in the settings
 * (struct keycloak_options), for the backend; KC_NAME_FILE, which Keycloak
 * does not read, is read here, but where NAME_FILE is itself an option of
 * Keycloak's (KC_HTTPS_CERTIFICATE_FILE is https-certificate-file, a path).
 */
#ifndef KHP_SETTINGS_KEYCLOAK_H
#define KHP_SETTINGS_KEYCLOAK_H

#include <stddef.h>

#include "settings.h"
#include "settings_lookup.h"

/* The NAME=value entries of the server's --name=value arguments that name a
 * setting (as KC_NAME), NULL-terminated, into *entries (free it and its
 * strings with free_argument_layer). */
void argument_layer(const struct settings_input *in, char ***entries);
void free_argument_layer(char **entries);

/* The other KC_ variables and --name=value arguments, the arguments first
 * (they win), each option once. */
int load_keycloak_options(const struct settings_input *in, struct keycloak_options *out);
void free_keycloak_options(struct keycloak_options *o);

/* The KC_ variable of a Keycloak option ("db-url-host" -> "KC_DB_URL_HOST")
 * and back. false when name is no such thing. */
bool keycloak_option_variable(const char *option, char *var, size_t len);
bool keycloak_variable_option(const char *var, char *option, size_t len);

#endif
