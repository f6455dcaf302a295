#include "netaddr.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

bool own_address(char *buf, size_t len)
{
	struct ifaddrs *list;
	bool found = false;

	if (getifaddrs(&list) != 0)
		return false;
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		if (!(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(void *)i->ifa_addr;
		if (inet_ntop(AF_INET, &sin->sin_addr, buf, (socklen_t)len)) {
			found = true;
			break;
		}
	}
	freeifaddrs(list);
	return found;
}

/* addr as an IPv4 (returns AF_INET) or IPv6 (AF_INET6) address; 0 when it
 * is neither. */
static int parse_address(const char *addr, struct in_addr *a4, struct in6_addr *a6)
{
	if (inet_pton(AF_INET, addr, a4) == 1)
		return AF_INET;
	if (inet_pton(AF_INET6, addr, a6) == 1)
		return AF_INET6;
	return 0;
}

bool address_is_loopback(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	switch (parse_address(addr, &a4, &a6)) {
	case AF_INET:
		return (ntohl(a4.s_addr) >> 24) == 127;
	case AF_INET6:
		return IN6_IS_ADDR_LOOPBACK(&a6);
	default:
		return false;
	}
}

bool address_is_any(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;
	int family = parse_address(addr, &a4, &a6);

	return (family == AF_INET && a4.s_addr == htonl(INADDR_ANY)) ||
	       (family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&a6));
}

bool address_is_multicast(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;
	int family = parse_address(addr, &a4, &a6);

	return (family == AF_INET && IN_MULTICAST(ntohl(a4.s_addr))) ||
	       (family == AF_INET6 && IN6_IS_ADDR_MULTICAST(&a6));
}
