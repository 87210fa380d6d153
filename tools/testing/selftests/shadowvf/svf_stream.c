// SPDX-License-Identifier: GPL-2.0
/*
 * svf_stream: the workload that makes loss visible across a live migration.
 *
 *   svf_stream send IP PORT KBPS   (in the nested VM)
 *	TCP: a byte stream whose every 4-byte word is a hash of its index, so
 *	a lost, duplicated or reordered byte shows at the receiver; KBPS caps
 *	the rate (0: as fast as the socket takes it).
 *	UDP: one datagram carrying a sequence number every 20 ms.
 *
 *   svf_stream recv PORT STATUS    (in the emulated host)
 *	Checks the TCP bytes and the UDP sequence and rewrites STATUS (key=value
 *	lines) every 500 ms. SIGUSR1 restarts the gap measurement (the largest
 *	silence between two arrivals); SIGTERM writes a final STATUS and exits.
 *
 * Statically linked so that the nested VM's busybox image can run it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UDP_MAGIC	0x53564631u	/* "SVF1" */
#define UDP_PERIOD_MS	20
#define CHUNK		4096

struct udp_msg {
	uint32_t magic;
	uint32_t seq;
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

static int do_send(const char *ip, const char *port, long kbps)
{
	uint64_t t0, next_udp, last_report, sent = 0;
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

		if (t >= next_udp) {
			msg.seq = htonl(seq++);
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
	fprintf(f, "uptime_ms=%llu\n", (unsigned long long)(now_ms() - t0));
	fclose(f);
	rename(tmp, path);
}

static void gap(uint64_t *last, uint64_t *max, uint64_t *at, uint64_t t,
		uint64_t t0)
{
	if (*last && t - *last > *max) {
		*max = t - *last;
		*at = *last - t0;
	}
	*last = t;
}

static int do_recv(const char *port, const char *status)
{
	struct recv_state s = { .bad_off = UINT64_MAX, .udp_max_seq = -1 };
	uint64_t t0 = now_ms(), last_write = 0;
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
		if ((pfd[3].revents & POLLIN) &&
		    read(pfd[3].fd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo != SIGUSR1) {
				term = 1;
			} else {
				s.tcp_gap = 0;
				s.udp_gap = 0;
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
				uint32_t q = ntohl(m.seq);

				gap(&s.last_udp, &s.udp_gap, &s.udp_gap_at, t, t0);
				if (q < (1u << 25) && (seen[q / 8] >> (q % 8)) & 1) {
					s.udp_dup++;
				} else {
					if (q < (1u << 25))
						seen[q / 8] |= 1 << (q % 8);
					s.udp_rx++;
					if ((int64_t)q < s.udp_max_seq)
						s.udp_late++;
					else
						s.udp_max_seq = q;
				}
			}
		}
		if (pfd[2].fd >= 0 && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR))) {
			n = recv(pfd[2].fd, buf, sizeof(buf), 0);
			if (n > 0) {
				gap(&s.last_tcp, &s.tcp_gap, &s.tcp_gap_at, t, t0);
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
	write_status(status, &s, t0);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "send"))
		return do_send(argv[2], argv[3], atol(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "recv"))
		return do_recv(argv[2], argv[3]);
	fprintf(stderr, "usage: %s send IP PORT KBPS | recv PORT STATUS\n",
		argv[0]);
	return 2;
}
