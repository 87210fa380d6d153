// SPDX-License-Identifier: GPL-2.0
/*
 * svf_stream: the workload that makes loss visible across a live migration.
 *
 *   svf_stream send IP PORT KBPS [SERIES]   (in the nested VM)
 *	TCP: a byte stream whose every 4-byte word is a hash of its index, so
 *	a lost, duplicated or reordered byte shows at the receiver; KBPS caps
 *	the rate (0: as fast as the socket takes it).
 *	UDP: one datagram every 20 ms carrying a sequence number and the
 *	sender's CLOCK_MONOTONIC in ms: the VM's clock stands still while
 *	the VM is stopped, so across the largest gap the receiver can split
 *	its own silence into time the sender's clock did not run (the VM
 *	stopped: the downtime as a peer sees it) and time the sender ran
 *	without a datagram getting through. SERIES: a file that gets one
 *	line "T ACKED" for every 100 ms (T: CLOCK_MONOTONIC ms at its start)
 *	in which the peer acknowledged ACKED bytes of the stream.
 *
 *   svf_stream recv PORT STATUS [SERIES]   (in the emulated host)
 *	Checks the TCP bytes and the UDP sequence and rewrites STATUS (key=value
 *	lines) every 500 ms. SIGUSR1 restarts the gap measurement (the largest
 *	silence between two arrivals); SIGTERM writes a final STATUS and exits.
 *	SERIES: a file that gets one line "T DATAGRAMS BYTES OFFSET MAXOFF
 *	SKIPPED" for every 100 ms (T: CLOCK_MONOTONIC ms at its start) in
 *	which something arrived; OFFSET is the least (arrival - sender's
 *	clock) of its datagrams, "-" if none: its step across a silence is
 *	the time the sender's clock stood still (a datagram that waited in a
 *	queue only raises its own offset, not the least); MAXOFF the largest,
 *	which such a datagram raises; SKIPPED the sequence numbers this
 *	bucket's datagrams jumped over (lost, unless they arrive late).
 *
 *   svf_stream mrecv IFNAME GROUP OTHER PORT STATUS   (in the nested VM)
 *	Joins the IPv4 multicast group GROUP on IFNAME (IP_ADD_MEMBERSHIP: the
 *	NIC driver programs the group's MAC into its filter) and counts the
 *	datagrams to GROUP:PORT that reach the socket; a packet socket on
 *	IFNAME counts the frames to GROUP and to OTHER, a group nobody joined,
 *	that the NIC delivered at all. Rewrites STATUS every 500 ms.
 *
 *   svf_stream msend IFADDR PORT COUNT GROUP...   (in the emulated host)
 *	Sends COUNT datagrams to each GROUP:PORT from the interface that has
 *	IFADDR, one round every 20 ms, and exits.
 *
 * Statically linked so that the nested VM's busybox image can run it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UDP_MAGIC	0x53564631u	/* "SVF1" */
#define UDP_PERIOD_MS	20
#define CHUNK		4096
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define SERIES_MS	100

struct udp_msg {
	uint32_t magic;
	uint32_t seq;
	uint32_t ms;	/* the sender's clock, ms (low 32 bits) */
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* byte @off of the stream: little-endian bytes of a hash of the word index */
static uint8_t pattern(uint64_t off)
{
	uint32_t w = (uint32_t)(off / 4) * 2654435761u;

	return w >> (8 * (off % 4));
}

static int parse_addr(const char *ip, const char *port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons(atoi(port));
	if (ip && inet_pton(AF_INET, ip, &sa->sin_addr) != 1)
		return -1;
	if (!ip)
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
	return 0;
}

static FILE *series_open(const char *path)
{
	FILE *f = path ? fopen(path, "w") : NULL;

	if (path && !f)
		perror("svf_stream: series");
	return f;
}

static int do_send(const char *ip, const char *port, long kbps,
		   const char *series_path)
{
	uint64_t t0, next_udp, last_report, sent = 0, acked = 0, bucket = 0;
	FILE *series = series_open(series_path);
	struct udp_msg msg = { .magic = htonl(UDP_MAGIC) };
	struct sockaddr_in sa;
	uint8_t buf[CHUNK];
	int tcp, udp, i;
	uint32_t seq = 0;

	if (parse_addr(ip, port, &sa))
		return 2;
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	if (udp < 0 || connect(udp, (struct sockaddr *)&sa, sizeof(sa)))
		return perror("udp"), 1;
	for (i = 0; ; i++) {
		tcp = socket(AF_INET, SOCK_STREAM, 0);
		if (tcp >= 0 && !connect(tcp, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		if (i == 60)
			return perror("svf_stream: tcp connect"), 1;
		close(tcp);
		sleep(1);
	}
	printf("svf_stream: connected to %s:%s, %ld kB/s\n", ip, port, kbps);
	fflush(stdout);
	fcntl(tcp, F_SETFL, O_NONBLOCK);
	t0 = now_ms();
	next_udp = t0;
	last_report = t0;
	for (;;) {
		uint64_t t = now_ms();
		uint64_t allowed = kbps ? (t - t0) * kbps : UINT64_MAX;
		struct pollfd pfd = { .fd = tcp, .events = POLLOUT };
		int wait_ms = UDP_PERIOD_MS;

		if (series && t / SERIES_MS != bucket) {
			int outq = 0;

			/* acknowledged: what was sent less what is still queued */
			if (!ioctl(tcp, SIOCOUTQ, &outq) && sent - outq > acked) {
				fprintf(series, "%llu %llu\n",
					(unsigned long long)bucket * SERIES_MS,
					(unsigned long long)(sent - outq - acked));
				fflush(series);
				acked = sent - outq;
			}
			bucket = t / SERIES_MS;
		}

		if (t >= next_udp) {
			msg.seq = htonl(seq++);
			msg.ms = htonl((uint32_t)t);
			send(udp, &msg, sizeof(msg), 0);
			next_udp += UDP_PERIOD_MS;
			/* after a pause (e.g. the VM was stopped) do not burst */
			if (next_udp < t)
				next_udp = t + UDP_PERIOD_MS;
		}
		if (sent < allowed) {
			size_t len = CHUNK;
			ssize_t n;

			if (allowed - sent < len)
				len = allowed - sent;
			for (i = 0; i < (int)len; i++)
				buf[i] = pattern(sent + i);
			n = send(tcp, buf, len, MSG_NOSIGNAL);
			if (n > 0) {
				sent += n;
				continue;
			}
			if (n < 0 && errno != EAGAIN) {
				printf("svf_stream: tcp error after %llu bytes: %s\n",
				       (unsigned long long)sent, strerror(errno));
				return 1;
			}
		} else {
			pfd.events = 0;
		}
		if (t - last_report >= 10000) {
			printf("svf_stream: sent %llu bytes, %u datagrams\n",
			       (unsigned long long)sent, seq);
			fflush(stdout);
			last_report = t;
		}
		if (next_udp > t && next_udp - t < (uint64_t)wait_ms)
			wait_ms = next_udp - t;
		poll(&pfd, 1, wait_ms);
	}
}

struct recv_state {
	uint64_t bytes, bad_off, udp_rx, udp_dup, udp_late;
	int64_t udp_max_seq;
	uint64_t last_tcp, last_udp, tcp_gap, udp_gap, tcp_gap_at, udp_gap_at;
	/* the sender's clock: at the last datagram, across the largest gap */
	uint32_t last_udp_ms, udp_gap_sender_ms;
	int conns, closed, err;
};

static void write_status(const char *path, const struct recv_state *s,
			 uint64_t t0)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "tcp_conns=%d\ntcp_closed=%d\ntcp_errno=%d\n",
		s->conns, s->closed, s->err);
	fprintf(f, "tcp_bytes=%llu\ntcp_bad_offset=%lld\n",
		(unsigned long long)s->bytes,
		s->bad_off == UINT64_MAX ? -1LL : (long long)s->bad_off);
	fprintf(f, "udp_rx=%llu\nudp_max_seq=%lld\nudp_dup=%llu\nudp_late=%llu\n",
		(unsigned long long)s->udp_rx, (long long)s->udp_max_seq,
		(unsigned long long)s->udp_dup,
		(unsigned long long)s->udp_late);
	fprintf(f, "udp_lost=%lld\n",
		(long long)(s->udp_max_seq + 1 - (int64_t)s->udp_rx));
	fprintf(f, "tcp_max_gap_ms=%llu\ntcp_max_gap_at_ms=%llu\n",
		(unsigned long long)s->tcp_gap,
		(unsigned long long)s->tcp_gap_at);
	fprintf(f, "udp_max_gap_ms=%llu\nudp_max_gap_at_ms=%llu\n",
		(unsigned long long)s->udp_gap,
		(unsigned long long)s->udp_gap_at);
	fprintf(f, "udp_max_gap_sender_ms=%u\n", s->udp_gap_sender_ms);
	fprintf(f, "uptime_ms=%llu\n", (unsigned long long)(now_ms() - t0));
	fclose(f);
	rename(tmp, path);
}

/* returns 1 if the silence that ends at @t is the largest so far */
static int gap(uint64_t *last, uint64_t *max, uint64_t *at, uint64_t t,
	       uint64_t t0)
{
	int largest = *last && t - *last > *max;

	if (largest) {
		*max = t - *last;
		*at = *last - t0;
	}
	*last = t;
	return largest;
}

/* one SERIES_MS bucket of what arrived (do_recv's series) */
struct bucket {
	uint64_t t, udp, bytes, skipped;
	int64_t off, max_off;
	int has_off;
};

static void bucket_flush(FILE *f, struct bucket *b, uint64_t t)
{
	if (f && (b->udp || b->bytes)) {
		if (b->has_off)
			fprintf(f, "%llu %llu %llu %lld %lld %llu\n",
				(unsigned long long)b->t,
				(unsigned long long)b->udp,
				(unsigned long long)b->bytes, (long long)b->off,
				(long long)b->max_off,
				(unsigned long long)b->skipped);
		else
			fprintf(f, "%llu 0 %llu - - 0\n", (unsigned long long)b->t,
				(unsigned long long)b->bytes);
		fflush(f);
	}
	*b = (struct bucket){ .t = t / SERIES_MS * SERIES_MS };
}

static int do_recv(const char *port, const char *status, const char *series_path)
{
	struct recv_state s = { .bad_off = UINT64_MAX, .udp_max_seq = -1 };
	uint64_t t0 = now_ms(), last_write = 0;
	FILE *series = series_open(series_path);
	struct bucket b = { .t = t0 / SERIES_MS * SERIES_MS };
	struct pollfd pfd[4];
	sigset_t sigs;
	struct sockaddr_in sa;
	uint8_t buf[65536];
	uint8_t *seen;
	int lsn, udp, one = 1, term = 0;

	seen = calloc(1, 1 << 22);	/* 32M sequence numbers: a week at 50/s */
	if (!seen || parse_addr(NULL, port, &sa))
		return 2;
	lsn = socket(AF_INET, SOCK_STREAM, 0);
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(lsn, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lsn, (struct sockaddr *)&sa, sizeof(sa)) || listen(lsn, 4) ||
	    bind(udp, (struct sockaddr *)&sa, sizeof(sa)))
		return perror("svf_stream: bind"), 1;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGUSR1);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	pfd[0] = (struct pollfd){ .fd = lsn, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = udp, .events = POLLIN };
	pfd[2] = (struct pollfd){ .fd = -1, .events = POLLIN };
	pfd[3] = (struct pollfd){ .fd = signalfd(-1, &sigs, 0), .events = POLLIN };
	write_status(status, &s, t0);
	while (!term) {
		struct signalfd_siginfo si;
		uint64_t t;
		ssize_t n;
		int i;

		poll(pfd, 4, 100);
		t = now_ms();
		if (t / SERIES_MS * SERIES_MS != b.t)
			bucket_flush(series, &b, t);
		if ((pfd[3].revents & POLLIN) &&
		    read(pfd[3].fd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGUSR1) {
				term = 1;
			} else {
				s.tcp_gap = 0;
				s.udp_gap = 0;
				s.udp_gap_sender_ms = 0;
			}
		}
		if (pfd[0].revents & POLLIN) {
			int c = accept(lsn, NULL, NULL);

			/* one connection for the whole run: a second one is a reset */
			if (c >= 0 && pfd[2].fd >= 0)
				close(c);
			else if (c >= 0)
				pfd[2].fd = c;
			s.conns++;
		}
		if (pfd[1].revents & POLLIN) {
			struct udp_msg m;

			n = recv(udp, &m, sizeof(m), 0);
			if (n == sizeof(m) && ntohl(m.magic) == UDP_MAGIC) {
				uint32_t q = ntohl(m.seq), ms = ntohl(m.ms);
				/* the two clocks' difference, modulo 2^32 ms */
				int64_t off = (int32_t)((uint32_t)t - ms);

				if (!b.has_off || off < b.off)
					b.off = off;
				if (!b.has_off || off > b.max_off)
					b.max_off = off;
				b.has_off = 1;
				b.udp++;

				if (gap(&s.last_udp, &s.udp_gap, &s.udp_gap_at, t, t0))
					s.udp_gap_sender_ms = ms - s.last_udp_ms;
				s.last_udp_ms = ms;
				if (q < (1u << 25) && (seen[q / 8] >> (q % 8)) & 1) {
					s.udp_dup++;
				} else {
					if (q < (1u << 25))
						seen[q / 8] |= 1 << (q % 8);
					s.udp_rx++;
					if ((int64_t)q < s.udp_max_seq) {
						s.udp_late++;
					} else {
						b.skipped += q - s.udp_max_seq - 1;
						s.udp_max_seq = q;
					}
				}
			}
		}
		if (pfd[2].fd >= 0 && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR))) {
			n = recv(pfd[2].fd, buf, sizeof(buf), 0);
			if (n > 0) {
				gap(&s.last_tcp, &s.tcp_gap, &s.tcp_gap_at, t, t0);
				b.bytes += n;
				for (i = 0; i < n && s.bad_off == UINT64_MAX; i++)
					if (buf[i] != pattern(s.bytes + i))
						s.bad_off = s.bytes + i;
				s.bytes += n;
			} else {
				s.err = n < 0 ? errno : 0;
				s.closed = 1;
				close(pfd[2].fd);
				pfd[2].fd = -1;
			}
		}
		if (t - last_write >= 500) {
			write_status(status, &s, t0);
			last_write = t;
		}
	}
	bucket_flush(series, &b, now_ms());
	if (series)
		fclose(series);
	write_status(status, &s, t0);
	return 0;
}

/*
 * A classic BPF filter for a SOCK_DGRAM packet socket (data starts at the IP
 * header): IPv4 UDP datagrams to @a or @b (network order), nothing else, so
 * the guest's other traffic never wakes the counter.
 */
static void mcast_filter(int fd, uint32_t a, uint32_t b)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9),		/* protocol */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 4),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 16),		/* daddr */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(a), 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ntohl(b), 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 64),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = { .len = ARRAY_SIZE(code), .filter = code };

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		perror("svf_stream: SO_ATTACH_FILTER");
}

static int do_mrecv(const char *ifname, const char *group, const char *other,
		    const char *port, const char *status)
{
	uint64_t rx = 0, nic_group = 0, nic_other = 0, last_write = 0;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct ip_mreqn mr = { 0 };
	struct in_addr g, o;
	struct sockaddr_in sa;
	struct pollfd pfd[2];
	uint8_t buf[2048];
	int udp, pkt, one = 1, ifindex;
	char tmp[4096];
	FILE *f;

	ifindex = if_nametoindex(ifname);
	if (!ifindex || inet_pton(AF_INET, group, &g) != 1 ||
	    inet_pton(AF_INET, other, &o) != 1 || parse_addr(NULL, port, &sa))
		return 2;
	udp = socket(AF_INET, SOCK_DGRAM, 0);
	setsockopt(udp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (udp < 0 || bind(udp, (struct sockaddr *)&sa, sizeof(sa)))
		return perror("svf_stream: bind"), 1;
	mr.imr_multiaddr = g;
	mr.imr_ifindex = ifindex;
	if (setsockopt(udp, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)))
		return perror("svf_stream: IP_ADD_MEMBERSHIP"), 1;
	pkt = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	sll.sll_protocol = htons(ETH_P_IP);
	sll.sll_ifindex = ifindex;
	if (pkt < 0 || bind(pkt, (struct sockaddr *)&sll, sizeof(sll)))
		return perror("svf_stream: packet socket"), 1;
	mcast_filter(pkt, g.s_addr, o.s_addr);
	printf("svf_stream: joined %s on %s, port %s\n", group, ifname, port);
	pfd[0] = (struct pollfd){ .fd = udp, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = pkt, .events = POLLIN };
	snprintf(tmp, sizeof(tmp), "%s.tmp", status);
	for (;;) {
		struct sockaddr_ll from;
		socklen_t len = sizeof(from);
		uint64_t t;
		ssize_t n;

		poll(pfd, 2, 500);
		if (pfd[0].revents & POLLIN) {
			struct udp_msg m;

			n = recv(udp, &m, sizeof(m), 0);
			if (n == sizeof(m) && ntohl(m.magic) == UDP_MAGIC)
				rx++;
		}
		if (pfd[1].revents & POLLIN) {
			n = recvfrom(pkt, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &len);
			/* frames the NIC delivered, not the ones we send */
			if (n >= 20 && from.sll_pkttype != PACKET_OUTGOING) {
				if (!memcmp(buf + 16, &g, 4))
					nic_group++;
				else if (!memcmp(buf + 16, &o, 4))
					nic_other++;
			}
		}
		t = now_ms();
		if (t - last_write < 500)
			continue;
		last_write = t;
		f = fopen(tmp, "w");
		if (!f)
			continue;
		fprintf(f, "mc_rx=%llu\nnic_group=%llu\nnic_other=%llu\n",
			(unsigned long long)rx, (unsigned long long)nic_group,
			(unsigned long long)nic_other);
		fclose(f);
		rename(tmp, status);
	}
}

static int do_msend(const char *ifaddr, const char *port, long count,
		    char **groups, int nr)
{
	struct udp_msg msg = { .magic = htonl(UDP_MAGIC) };
	struct in_addr src;
	struct sockaddr_in sa;
	unsigned char ttl = 1, loop = 0;
	int fd, i, j;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || inet_pton(AF_INET, ifaddr, &src) != 1)
		return 2;
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &src, sizeof(src)) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) ||
	    setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)))
		return perror("svf_stream: multicast options"), 1;
	for (i = 0; i < count; i++) {
		msg.seq = htonl(i);
		for (j = 0; j < nr; j++) {
			if (parse_addr(groups[j], port, &sa))
				return 2;
			if (sendto(fd, &msg, sizeof(msg), 0,
				   (struct sockaddr *)&sa, sizeof(sa)) != sizeof(msg))
				return perror("svf_stream: sendto"), 1;
		}
		poll(NULL, 0, UDP_PERIOD_MS);
	}
	printf("svf_stream: sent %ld datagrams to each of %d groups\n", count, nr);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "send"))
		return do_send(argv[2], argv[3], atol(argv[4]),
			       argc == 6 ? argv[5] : NULL);
	if ((argc == 4 || argc == 5) && !strcmp(argv[1], "recv"))
		return do_recv(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
	if (argc == 7 && !strcmp(argv[1], "mrecv"))
		return do_mrecv(argv[2], argv[3], argv[4], argv[5], argv[6]);
	if (argc >= 6 && !strcmp(argv[1], "msend"))
		return do_msend(argv[2], argv[3], atol(argv[4]), argv + 5,
				argc - 5);
	fprintf(stderr, "usage: %s send IP PORT KBPS [SERIES] | recv PORT STATUS [SERIES] |\n"
		"  mrecv IFNAME GROUP OTHER PORT STATUS | msend IFADDR PORT COUNT GROUP...\n",
		argv[0]);
	return 2;
}
