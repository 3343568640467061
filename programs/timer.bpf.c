// SPDX-License-Identifier: GPL-2.0
/*
 * timer: bpf_timer_init / set_callback / start / cancel on a struct
 * bpf_timer inside an ARRAY map value (kernel/bpf/helpers.c).
 *
 *   timers  ARRAY[2] of struct tval { struct bpf_timer t; u64 fired;
 *           u64 key_seen; }
 *
 * Program timer_prog, SEC("syscall"), ctx struct timer_args; res[i]:
 *   0  timer_init(&timers[0].t, &timers, CLOCK_MONOTONIC)   0
 *   1  timer_init again                                      -EBUSY (-16)
 *   2  timer_set_callback(&timers[0].t, fire_cb)             0
 *   3  timer_start(&timers[0].t, 0 ns, 0)                    0
 *   4  timer_init(&timers[1].t, .., CLOCK_BOOTTIME)          0
 *   5  timer_set_callback(&timers[1].t, never_cb)            0
 *   6  timer_start(&timers[1].t, 3600 s, 0)                  0
 *   7  timer_cancel(&timers[1].t)                            1 (it was
 *      queued; hrtimer_cancel's result)
 *   8  timer_cancel(&timers[1].t) again                      0
 *   9  timer_start(&timers[1].t, 1 ns, flags 4 = unknown)    -EINVAL (-22)
 *   10 timer_init with clock 99                               -EINVAL (-22)
 *      (on timers[1], already initialised: the clock check comes first)
 * Asynchronously, after the run: fire_cb(map, key 0, value) sets fired += 1
 * and key_seen = key + 100 and returns 0; never_cb must never run (it
 * would set fired = 999 on timers[1]). Expect timers[0] = {fired 1,
 * key_seen 100} and timers[1].fired = 0 once the callback has run (within
 * milliseconds; it runs in softirq context, not in the program's run).
 * Returns 0.
 */
#include "common.h"

#define CLOCK_MONOTONIC 1
#define CLOCK_BOOTTIME 7

struct tval {
	struct bpf_timer t;
	u64 fired;
	u64 key_seen;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, u32);
	__type(value, struct tval);
} timers SEC(".maps");

struct timer_args {
	s64 res[11];
};

static int fire_cb(void *map, u32 *key, struct tval *val)
{
	val->fired++;
	val->key_seen = *key + 100;
	return 0;
}

static int never_cb(void *map, u32 *key, struct tval *val)
{
	val->fired = 999;
	return 0;
}

SEC("syscall")
int timer_prog(struct timer_args *args)
{
	u32 k0 = 0, k1 = 1;
	struct tval *a, *b;

	a = bpf_map_lookup_elem(&timers, &k0);
	b = bpf_map_lookup_elem(&timers, &k1);
	if (!a || !b)
		return 1;

	args->res[0] = bpf_timer_init(&a->t, &timers, CLOCK_MONOTONIC);
	args->res[1] = bpf_timer_init(&a->t, &timers, CLOCK_MONOTONIC);
	args->res[2] = bpf_timer_set_callback(&a->t, fire_cb);
	args->res[3] = bpf_timer_start(&a->t, 0, 0);

	args->res[4] = bpf_timer_init(&b->t, &timers, CLOCK_BOOTTIME);
	args->res[5] = bpf_timer_set_callback(&b->t, never_cb);
	args->res[6] = bpf_timer_start(&b->t, 3600ULL * 1000000000ULL, 0);
	args->res[7] = bpf_timer_cancel(&b->t);
	args->res[8] = bpf_timer_cancel(&b->t);
	args->res[9] = bpf_timer_start(&b->t, 1, 4);
	args->res[10] = bpf_timer_init(&b->t, &timers, 99);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
