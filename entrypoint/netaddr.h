/*
 * Addresses of this container: the one cluster peers can reach, and
 * classification of user-given addresses.
 */
#ifndef KHP_NETADDR_H
#define KHP_NETADDR_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The first IPv4 address of an interface that is up and not loopback, in
 * interface order (eth0 before eth1 on a container); false when there is
 * none.
 */
bool own_address(char *buf, size_t len);

bool address_is_loopback(const char *addr);
bool address_is_any(const char *addr);
bool address_is_multicast(const char *addr);

#endif
