#include "netaddr.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>

int own_address(char *buf, size_t len)
{
	struct ifaddrs *list;
	int rc = -1;

	if (getifaddrs(&list) != 0)
		return -1;
	for (struct ifaddrs *i = list; i; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
			continue;
		if (!(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK))
			continue;
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(void *)i->ifa_addr;
		if (inet_ntop(AF_INET, &sin->sin_addr, buf, (socklen_t)len)) {
			rc = 0;
			break;
		}
	}
	freeifaddrs(list);
	return rc;
}

bool address_is_loopback(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

bool address_is_any(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return a4.s_addr == htonl(INADDR_ANY);
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_UNSPECIFIED(&a6);
	return false;
}

bool address_is_multicast(const char *addr)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, addr, &a4) == 1)
		return IN_MULTICAST(ntohl(a4.s_addr));
	if (inet_pton(AF_INET6, addr, &a6) == 1)
		return IN6_IS_ADDR_MULTICAST(&a6);
	return false;
}
