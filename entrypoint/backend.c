#include "backend.h"

#include "quarkus.h"
#include "wildfly.h"

#include <stddef.h>

static const struct backend *const backends[] = { &quarkus_backend, &wildfly_backend };

const struct backend *backend_for(const char *home)
{
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (backends[i]->recognises(home))
			return backends[i];
	return &wildfly_backend;
}
