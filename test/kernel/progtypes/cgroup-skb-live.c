// SPDX-License-Identifier: MIT
/*
 * Records golden/cgroup-skb-live.json on the running kernel (root): programs/cgroup_skb_verdict.bpf.o
 * attached to a fresh cgroup v2 (/sys/fs/cgroup/unified/bpfemu-cgskb-live, removed afterwards) -
 * egress_a then egress_b at egress (BPF_F_ALLOW_MULTI, in that order), ingress_a at ingress - while
 * this process, inside the cgroup, sends one UDP datagram to 127.0.0.1:9 from one socket to
 * another per case. Per case: the verdicts the programs return, sendto()'s errno, whether the
 * datagram arrived, and how often each program ran.
 *
 *   cc -O2 -Wall -o /tmp/cgroup-skb-live test/kernel/progtypes/cgroup-skb-live.c -lbpf
 *   sudo /tmp/cgroup-skb-live programs/cgroup_skb_verdict.bpf.o > test/kernel/progtypes/golden/cgroup-skb-live.json
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#define CG "/sys/fs/cgroup/unified/bpfemu-cgskb-live"

struct st {
	uint32_t verdict[3];
	uint64_t seen[3];
};

static const uint32_t CASES[][3] = {
	{ 1, 1, 1 }, { 0, 1, 1 }, { 1, 0, 1 }, { 3, 1, 1 }, { 2, 1, 1 }, { 3, 3, 1 }, { 2, 3, 1 }, { 3, 0, 1 }, { 0, 2, 1 }, { 1, 1, 0 }, { 3, 1, 0 },
};

static int join(const char *procs)
{
	FILE *f = fopen(procs, "w");

	if (!f)
		return -1;
	fprintf(f, "%d\n", getpid());
	return fclose(f);
}

int main(int argc, char **argv)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(9), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct bpf_object *obj;
	struct bpf_map *m, *bss = NULL;
	int cg, rx, tx, rc = 0;
	uint32_t zero = 0;

	if (argc != 2)
		return 2;
	mkdir(CG, 0755);
	cg = open(CG, O_RDONLY | O_DIRECTORY);
	if (cg < 0 || join(CG "/cgroup.procs"))
		return 3;
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj))
		return 4;
	bpf_object__for_each_map(m, obj)
		if (strstr(bpf_map__name(m), ".bss"))
			bss = m;
	if (!bss || bpf_map__value_size(bss) != sizeof(struct st))
		return 5;
	if (bpf_prog_attach(bpf_program__fd(bpf_object__find_program_by_name(obj, "egress_a")), cg, BPF_CGROUP_INET_EGRESS, BPF_F_ALLOW_MULTI) ||
	    bpf_prog_attach(bpf_program__fd(bpf_object__find_program_by_name(obj, "egress_b")), cg, BPF_CGROUP_INET_EGRESS, BPF_F_ALLOW_MULTI) ||
	    bpf_prog_attach(bpf_program__fd(bpf_object__find_program_by_name(obj, "ingress_a")), cg, BPF_CGROUP_INET_INGRESS, BPF_F_ALLOW_MULTI))
		return 6;
	rx = socket(AF_INET, SOCK_DGRAM, 0);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	if (bind(rx, (struct sockaddr *)&to, sizeof(to)))
		return 7;
	printf("{\n  \"_comment\": \"cgroup_skb egress_a, egress_b (egress, in that order) and ingress_a (ingress) of programs/cgroup_skb_verdict.bpf.o on a cgroup v2; per case the verdicts, sendto's errno, whether the datagram arrived, the programs' run counts; recorded by cgroup-skb-live.c as root\",\n  \"kernel\": \"");
	{
		FILE *f = fopen("/proc/sys/kernel/osrelease", "r");
		int c;

		while (f && (c = fgetc(f)) != EOF && c != '\n')
			putchar(c);
		if (f)
			fclose(f);
	}
	printf("\",\n  \"cases\": [\n");
	for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++) {
		struct st st = { { CASES[i][0], CASES[i][1], CASES[i][2] }, { 0, 0, 0 } };
		struct pollfd p = { .fd = rx, .events = POLLIN };
		char buf[64];
		int err, got;

		if (bpf_map_update_elem(bpf_map__fd(bss), &zero, &st, BPF_ANY))
			return 8;
		err = sendto(tx, "bpfemu", 6, 0, (struct sockaddr *)&to, sizeof(to)) < 0 ? errno : 0;
		got = poll(&p, 1, 200) == 1 && recv(rx, buf, sizeof(buf), MSG_DONTWAIT) == 6;
		if (bpf_map_lookup_elem(bpf_map__fd(bss), &zero, &st))
			return 9;
		printf("    { \"verdict\": [%u, %u, %u], \"errno\": %d, \"delivered\": %s, \"seen\": [%llu, %llu, %llu] }%s\n", CASES[i][0], CASES[i][1], CASES[i][2], err,
		       got ? "true" : "false", (unsigned long long)st.seen[0], (unsigned long long)st.seen[1], (unsigned long long)st.seen[2],
		       i + 1 < sizeof(CASES) / sizeof(CASES[0]) ? "," : "");
	}
	printf("  ]\n}\n");
	close(rx);
	close(tx);
	bpf_object__close(obj);
	if (join("/sys/fs/cgroup/unified/cgroup.procs"))
		rc = 10;
	close(cg);
	rmdir(CG);
	return rc;
}
