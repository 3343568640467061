/**
 * The API's cgroup attach calls (src/api/object.ts: BpfProgram.attachToCgroup, detachFromCgroup,
 * attachCgroup; BpfObject.queryCgroup) on the sock_addr fixture's connect4 program, which refuses
 * port 23 (programs/sock_addr.bpf.c). The revisions, flags and errnos expected here are those
 * Linux 6.18 gave for the same sequence of calls at sock_create
 * (test/kernel/progtypes/golden/cgroup-attach-live.json: a first attach gives revision 2, each
 * change adds one; a link on a cgroup holding a program attached without BPF_F_ALLOW_MULTI is
 * EPERM; a child's program shadows an override one).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BpfError, BpfObject } from '../../src/api/index.js';
import { fireCgroup } from '../../src/kernel/progtypes/cgroup.js';
import { CgroupAttachFlags } from '../../src/kernel/progtypes/cgroup-attach.js';
import { cgroupsOf } from '../../src/maps/cgroups.js';
import { AttachType } from '../../src/object/uapi.js';

const EPERM = 1;
const port23 = { ctx: { user_family: 2, user_port: 23 << 8, family: 2, type: 1, protocol: 6 } };

function setup(): { o: BpfObject; appFd: number; webFd: number; fire: () => number } {
  const o = BpfObject.open(readFileSync('programs/sock_addr.bpf.o'));
  o.load();
  const k = o.kernel;
  const tree = cgroupsOf(k);
  const app = tree.mkdir(tree.root, 'app');
  const web = tree.mkdir(app, 'web');
  tree.current = web;
  return { o, appFd: tree.openFd(k, app), webFd: tree.openFd(k, web), fire: () => fireCgroup(k, 'cgroup/connect4', port23).retval };
}

describe('API: BPF_PROG_ATTACH / DETACH / QUERY on cgroups', () => {
  it('attach with BPF_F_ALLOW_OVERRIDE, query, refuse a link, detach', () => {
    const { o, appFd, webFd, fire } = setup();
    const p = o.program('connect4');
    p.attachToCgroup(appFd, { flags: CgroupAttachFlags.ALLOW_OVERRIDE });
    expect(fire()).toBe(-EPERM);
    const id = p.kernelProg.id;
    expect(o.queryCgroup(appFd, AttachType.CGROUP_INET4_CONNECT)).toEqual({ attachFlags: 1, progIds: [id], progAttachFlags: [1], revision: 2n });
    expect(o.queryCgroup(webFd, AttachType.CGROUP_INET4_CONNECT, { effective: true })).toEqual({ attachFlags: 0, progIds: [id], progAttachFlags: null, revision: 0n });
    expect(() => p.attachCgroup(appFd)).toThrow(expect.objectContaining({ errno: EPERM }) as unknown as Error);
    p.detachFromCgroup(appFd);
    expect(fire()).toBe(0);
    expect(o.queryCgroup(appFd, AttachType.CGROUP_INET4_CONNECT)).toEqual({ attachFlags: 0, progIds: [], progAttachFlags: [], revision: 3n });
    expect(() => p.detachFromCgroup(appFd)).toThrow(BpfError);
    o.close();
  });

  it('a link in multi mode runs for the child; closing it detaches', () => {
    const { o, appFd, webFd, fire } = setup();
    const p = o.program('connect4');
    const link = p.attachCgroup(appFd);
    expect(fire()).toBe(-EPERM);
    expect(o.queryCgroup(webFd, AttachType.CGROUP_INET4_CONNECT, { effective: true }).progIds).toEqual([p.kernelProg.id]);
    // the same program attached directly once more in multi mode is allowed next to its link
    p.attachToCgroup(appFd, { flags: CgroupAttachFlags.ALLOW_MULTI });
    expect(o.queryCgroup(appFd, AttachType.CGROUP_INET4_CONNECT).progAttachFlags).toEqual([2, 2]);
    link.destroy();
    p.detachFromCgroup(appFd);
    expect(fire()).toBe(0);
    expect(o.queryCgroup(appFd, AttachType.CGROUP_INET4_CONNECT).progIds).toEqual([]);
    o.close();
  });
});
