/** The bpf() command table: command number → handler over the raw attribute. */
import type { Attr } from './attr.js';
import { mapBatch, mapCreate, mapDeleteElem, mapFreeze, mapGetNextKey, mapLookupAndDeleteElem, mapLookupElem, mapUpdateElem } from './cmd-map.js';
import { btfGetFdById, btfLoad, enableStats, getNextId, linkGetFdById, mapGetFdById, objGetInfoByFd, progGetFdById } from './cmd-obj.js';
import { iterCreate, linkCreate, linkDetach, linkUpdate, progAssocStructOps, rawTracepointOpen } from './cmd-link.js';
import { progAttach, progDetach, progQuery } from './cmd-cgroup.js';
import { progBindMap, progLoad, progTestRun } from './cmd-prog.js';
import type { Kernel } from '../kernel.js';
import { Cmd } from './uapi.js';

/** A command handler: returns an fd, 0, or -errno; writes output fields into `attr`. */
export type CommandHandler = (k: Kernel, attr: Attr) => number;

/** Every implemented command. Others give EINVAL, as the kernel's default branch does. */
export const COMMAND_HANDLERS: ReadonlyMap<number, CommandHandler> = new Map<number, CommandHandler>([
  [Cmd.MAP_CREATE, mapCreate],
  [Cmd.MAP_LOOKUP_ELEM, mapLookupElem],
  [Cmd.MAP_UPDATE_ELEM, mapUpdateElem],
  [Cmd.MAP_DELETE_ELEM, mapDeleteElem],
  [Cmd.MAP_GET_NEXT_KEY, mapGetNextKey],
  [Cmd.MAP_LOOKUP_AND_DELETE_ELEM, mapLookupAndDeleteElem],
  [Cmd.MAP_FREEZE, mapFreeze],
  [Cmd.MAP_LOOKUP_BATCH, mapBatch('lookup')],
  [Cmd.MAP_LOOKUP_AND_DELETE_BATCH, mapBatch('lookup_and_delete')],
  [Cmd.MAP_UPDATE_BATCH, mapBatch('update')],
  [Cmd.MAP_DELETE_BATCH, mapBatch('delete')],
  [Cmd.PROG_LOAD, progLoad],
  [Cmd.PROG_TEST_RUN, progTestRun],
  [Cmd.PROG_BIND_MAP, progBindMap],
  [Cmd.PROG_GET_FD_BY_ID, progGetFdById],
  [Cmd.MAP_GET_FD_BY_ID, mapGetFdById],
  [Cmd.LINK_GET_FD_BY_ID, linkGetFdById],
  [Cmd.BTF_GET_FD_BY_ID, btfGetFdById],
  [Cmd.PROG_GET_NEXT_ID, getNextId('prog')],
  [Cmd.MAP_GET_NEXT_ID, getNextId('map')],
  [Cmd.LINK_GET_NEXT_ID, getNextId('link')],
  [Cmd.BTF_GET_NEXT_ID, getNextId('btf')],
  [Cmd.OBJ_GET_INFO_BY_FD, objGetInfoByFd],
  [Cmd.BTF_LOAD, btfLoad],
  [Cmd.ENABLE_STATS, enableStats],
  [Cmd.LINK_CREATE, linkCreate],
  [Cmd.LINK_UPDATE, linkUpdate],
  [Cmd.LINK_DETACH, linkDetach],
  [Cmd.RAW_TRACEPOINT_OPEN, rawTracepointOpen],
  [Cmd.ITER_CREATE, iterCreate],
  [Cmd.PROG_ASSOC_STRUCT_OPS, progAssocStructOps],
  [Cmd.PROG_ATTACH, progAttach],
  [Cmd.PROG_DETACH, progDetach],
  [Cmd.PROG_QUERY, progQuery],
]);
