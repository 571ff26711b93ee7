#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write the seed corpora of fuzz/corpus/ (run from the repository root).

Each seed reaches a deep path: calls that succeed against the rich state
of fuzz_hvcall.c, and sequences for fuzz_sequence.c built with an encoder
that follows its decoder byte for byte.  Re-running rewrites the same files.
"""
import os
import struct

HV = 'fuzz/corpus/fuzz_hvcall'
SEQ = 'fuzz/corpus/fuzz_sequence'
NEST = 'fuzz/corpus/fuzz_nested'
KVM = 'fuzz/corpus/fuzz_kvm_exit'
SELF = 2**64 - 1
ROOT, C, G = 1, 2, 3


def q(*v):
    return struct.pack('<%dQ' % len(v), *v)


def ctl(code, fast=False, reps=0, start=0):
    return code | (1 << 16 if fast else 0) | (reps << 32) | (start << 48)


# ---------------------------------------------------------------------------
# fuzz_hvcall: byte 0 flags, byte 1 failing allocation, control, 16
# registers, the caller's input page.

CALLER = {ROOT: 0, C: 1, G: 2}


def hvcall(caller, control, page=b'', regs=None, arm64=False, rep_limit=0,
           fail=0):
    b0 = (1 if arm64 else 0) | CALLER[caller] << 1 | rep_limit << 5
    if regs is not None:
        b0 |= 8
    r = list(regs or []) + [0] * (16 - len(regs or []))
    return bytes([b0, fail]) + q(control) + q(*r) + page


def regs_in(h, elems):
    return h + b''.join(elems)


def set_reg(name, value):
    return struct.pack('<IIQQQ', name, 0, 0, value, 0)


def hvcall_seeds():
    s = {}
    create = bytes(56)
    s['create'] = hvcall(ROOT, 0x40, create)
    s['create-arm64'] = hvcall(ROOT, 0x40, bytes(48), arm64=True)
    s['create-by-g'] = hvcall(G, 0x40, create)
    s['create-fail1'] = hvcall(ROOT, 0x40, create, fail=1)
    s['finalize-g'] = hvcall(C, 0x42, q(G))
    s['finalize-c'] = hvcall(ROOT, 0x42, q(C))
    s['finalize-g-fast'] = hvcall(C, ctl(0x42, True), regs=[G])
    s['delete-g'] = hvcall(C, 0x43, q(G))
    s['get-priv'] = hvcall(ROOT, 0x44, q(C) + struct.pack('<II', 0x10000, 0))
    s['set-weight'] = hvcall(ROOT, 0x45, q(C) + struct.pack('<II', 0x20003, 0) + q(200))
    s['get-id-fast'] = hvcall(G, ctl(0x46, True), regs=[])
    s['next-child'] = hvcall(C, 0x47, q(SELF, 0))
    s['deposit-c'] = hvcall(ROOT, ctl(0x48, reps=10), q(C, *range(300, 310)))
    s['deposit-c-limit'] = hvcall(ROOT, ctl(0x48, reps=10), q(C, *range(300, 310)), rep_limit=3)
    s['deposit-self-dup'] = hvcall(ROOT, ctl(0x48, reps=3), q(SELF, 320, 321, 320))
    s['deposit-g-by-c'] = hvcall(C, ctl(0x48, reps=2), q(G, 40, 41))
    s['withdraw-c'] = hvcall(ROOT, ctl(0x49, reps=20), q(C, 0))
    s['withdraw-g'] = hvcall(C, ctl(0x49, reps=20), q(G, 0))
    s['withdraw-self'] = hvcall(ROOT, ctl(0x49, reps=40), q(SELF, 0), rep_limit=5)
    s['balance-g'] = hvcall(C, 0x4a, q(G, 0))
    s['map-c'] = hvcall(ROOT, ctl(0x4b, reps=10), q(C, 64, 3) + q(*range(210, 220)))
    s['map-c-fail1'] = hvcall(ROOT, ctl(0x4b, reps=2), q(C, 1024, 3) + q(210, 211), fail=1)
    s['map-g-remap'] = hvcall(C, ctl(0x4b, reps=4), q(G, 0, 0xf) + q(20, 21, 22, 23))
    s['map-self-deny'] = hvcall(ROOT, ctl(0x4b, reps=6), q(SELF, 210, 0) + q(*range(210, 216)))
    s['unmap-c'] = hvcall(ROOT, ctl(0x4c, reps=8), q(C, 0, 0))
    s['unmap-g'] = hvcall(C, ctl(0x4c, reps=4), q(G, 0, 0))
    cvp = q(C) + struct.pack('<I3xB', 1, 0) + q(0, 0, 0)
    s['create-vp1'] = hvcall(ROOT, 0x4e, cvp)
    s['create-vp1-fail1'] = hvcall(ROOT, 0x4e, cvp, fail=1)
    s['delete-vp-c'] = hvcall(ROOT, 0x4f, q(C, 0))
    s['delete-vp-g'] = hvcall(C, 0x4f, q(G, 0))
    names = struct.pack('<4I', 0xa0013, 0xa0012, 0xa0010, 0xa0002)
    s['get-regs-c'] = hvcall(ROOT, ctl(0x50, reps=4), q(C, 0) + names)
    s['eom-root'] = hvcall(ROOT, ctl(0x51, reps=1), regs_in(q(SELF, 0), [set_reg(0xa0014, 0)]))
    s['eom-c'] = hvcall(C, ctl(0x51, reps=1), regs_in(q(SELF, 0), [set_reg(0xa0014, 0)]))
    s['suspend-g'] = hvcall(C, ctl(0x51, reps=1), regs_in(q(G, 0), [set_reg(0, 1)]))
    s['simp-off-c'] = hvcall(C, ctl(0x51, reps=2), regs_in(q(SELF, 0), [set_reg(0xa0013, 0), set_reg(0xa0010, 0)]))
    pinfo = struct.pack('<IIIIQ', 1, 0, 3, 0, 0)
    s['create-port-classic'] = hvcall(ROOT, 0x57, q(SELF) + struct.pack('<II', 5, 0) + q(C) + pinfo)
    ev = struct.pack('<IIIIHHI', 2, 0, 3, 0xffffffff, 8, 16, 0)
    s['create-port-event'] = hvcall(C, 0x95, q(G) + struct.pack('<II', 7, 0) + q(C) + ev + q(0))
    s['create-port-fail1'] = hvcall(ROOT, 0x95, q(C) + struct.pack('<II', 9, 0) + q(ROOT) + pinfo + q(0), fail=1)
    s['delete-port-root'] = hvcall(ROOT, 0x58, q(ROOT, 1))
    s['delete-port-c'] = hvcall(ROOT, 0x58, q(C, 1))
    s['delete-port-c3'] = hvcall(C, 0x58, q(SELF, 3))
    s['connect-classic'] = hvcall(ROOT, 0x59, q(ROOT) + struct.pack('<II', 4, 0) + q(C) + struct.pack('<II', 1, 0) + struct.pack('<IIQ', 1, 0, 0))
    s['port-prop'] = hvcall(ROOT, 0x5a, q(ROOT) + struct.pack('<IIII', 1, 0, 0, 0))
    s['set-port-prop'] = hvcall(ROOT, 0x70, q(ROOT) + struct.pack('<IIII', 1, 0, 1, 0) + q(0))
    s['disconnect-root'] = hvcall(ROOT, 0x5b, q(ROOT) + struct.pack('<II', 1, 0))
    s['disconnect-g'] = hvcall(C, 0x5b, q(G) + struct.pack('<II', 3, 0))
    post = struct.pack('<IIII', 1, 0, 9, 8) + q(0x1122334455667788)
    s['post-c'] = hvcall(C, 0x5c, post)
    s['post-root'] = hvcall(ROOT, 0x5c, post)
    s['post-g'] = hvcall(G, 0x5c, struct.pack('<IIII', 3, 0, 9, 240))
    s['signal-root-fast'] = hvcall(ROOT, ctl(0x5d, True), regs=[2 | 9 << 32])
    s['signal-c'] = hvcall(C, 0x5d, struct.pack('<IHH', 2, 63, 0))
    s['raw-regs-mem'] = hvcall(ROOT, 0x44, regs=[8, 0x1000], page=q(0) + q(C) + struct.pack('<II', 0x60005, 0))
    s['arm64-fast-withdraw'] = hvcall(ROOT, ctl(0x49, True, reps=14), regs=[C, 0], arm64=True)
    s['numa4-withdraw-node'] = hvcall(ROOT, ctl(0x49, reps=8), q(C) + struct.pack('<II', 3, 0x80000000), fail=0x20)
    s['numa8-create-vp-node'] = hvcall(ROOT, 0x4e, q(C) + struct.pack('<I3xB', 2, 0) + q(0) + struct.pack('<II', 7, 0x80000000) + q(0), fail=0x30)
    # spec.md §10: the Linux root's wider surface, one seed a call.
    P = struct.pack
    vh = lambda n: n << 17
    s['sysprop-sched'] = hvcall(ROOT, 0x7b, P('<II', 15, 0))
    s['propex-vmm-caps'] = hvcall(ROOT, 0x101, q(SELF) + P('<II', 0x90007, 0) + q(0))
    s['propex-xsave-c'] = hvcall(ROOT, 0x101, q(C) + P('<II', 0x60008, 0) + q(0))
    s['ring-empty'] = hvcall(C, 0x8b, P('<II', 2, 0))
    s['map-vp-state'] = hvcall(ROOT, 0xe1, q(C) + P('<IHBB', 0, 0, 0, 0) + q(0))
    s['map-vp-icpt-fail1'] = hvcall(ROOT, 0xe1, q(C) + P('<IHBB', 0, 1, 0, 0) + q(0), fail=1)
    s['unmap-vp-state'] = hvcall(ROOT, 0xe2, q(C) + P('<IHBB', 0, 1, 0, 0))
    vs = q(C) + P('<IBBH', 0, 0, 0, 0)
    s['get-vp-state-lapic'] = hvcall(ROOT, 0xe3 | vh(1), vs + P('<IIQQ', 0, 0, 0, 0) + q(2))
    s['get-vp-state-timers'] = hvcall(ROOT, 0xe3, vs + P('<IIQQ', 4, 0, 0, 0))
    s['set-vp-state-xsave'] = hvcall(ROOT, 0xe4 | vh(1), vs + P('<IIQQ', 1, 0, 0, 7) + q(2))
    s['set-vp-state-timers'] = hvcall(ROOT, 0xe4 | vh(25), vs + P('<IIQQ', 4, 0, 0, 0) + bytes(200))
    s['assert-fixed'] = hvcall(ROOT, 0x94, q(C, 0, 0) + P('<IBBH', 0x30, 0, 0, 0))
    s['assert-level'] = hvcall(ROOT, 0x94, q(C, 1 << 32, 0xff) + P('<IBBH', 0x31, 0, 0, 0))
    s['clear-irq'] = hvcall(ROOT, 0x56, q(C))
    s['install-intercept'] = hvcall(ROOT, 0x4d, q(C) + P('<II', 4, 2) + q(0x100))
    s['intercept-result'] = hvcall(ROOT, 0x91, q(C) + P('<II', 0, 2) +
                                   P('<IIBBH', 1, 0, 0, 0, 0) + P('<8I', 0, 0, 1, 1, 0, 0, 0, 0))
    s['cpuid'] = hvcall(ROOT, ctl(0xf4, reps=2), q(C) + P('<IIII', 0, 3, 0, 0) +
                        P('<IIQQ', 0, 0, 0, 0) + P('<IIQQ', 0x40000000, 0, 0, 0))
    s['read-gpa'] = hvcall(ROOT, 0x53, q(C) + P('<II', 0, 16) + q(0xff8, 0))
    s['write-gpa'] = hvcall(ROOT, 0x54, q(C) + P('<II', 0, 8) + q(0x10, 0) + bytes(16))
    s['translate'] = hvcall(ROOT, 0x52, q(C) + P('<II', 0, 0) + q(1, 0))
    s['signal-direct'] = hvcall(ROOT, 0xc0, q(C) + P('<IBBH', 0, 0, 2, 1))
    s['post-direct'] = hvcall(ROOT, 0xc1, q(C) + P('<IB3xI', 0, 0, 3) +
                              P('<IBBHQ', 1, 8, 0, 0, 0) + bytes(240) + bytes(4))
    s['access-states'] = hvcall(ROOT, ctl(0xc9, reps=16), q(C, 4, 0))
    s['map-stats'] = hvcall(ROOT, 0x6c, P('<II', 0x10001, 0) + q(C) + P('<IHBB', 0, 0, 0, 0))
    s['unmap-stats'] = hvcall(ROOT, 0x6d, P('<II', 0x10002, 0) + q(C) + P('<IHBB', 0, 0, 0, 1))
    s['map-large'] = hvcall(ROOT, ctl(0x4b, reps=1), q(C, 512, 0x80008003, 0))
    s['unmap-large'] = hvcall(ROOT, ctl(0x4c, reps=1), q(C, 512, 2))
    s['create-doorbell'] = hvcall(ROOT, 0x95, q(SELF) + P('<IBBH', 9, 0, 0, 0) + q(C) +
                                  P('<II', 4, 0) + P('<II', 5, 0xffffffff) + q(0) + q(0))
    return s


# ---------------------------------------------------------------------------
# fuzz_sequence: an encoder that follows the decoder's reads.

(OP_CREATE, OP_DEPOSIT, OP_INITIALIZE, OP_MAP, OP_UNMAP, OP_CREATE_VP,
 OP_DELETE_VP, OP_SET_REGS, OP_GET_REGS, OP_CREATE_PORT, OP_CONNECT,
 OP_DELETE_PORT, OP_DISCONNECT, OP_POST, OP_SIGNAL, OP_FINALIZE,
 OP_WITHDRAW, OP_DELETE, OP_SET_PROPERTY, OP_GET_PROPERTY, OP_ROOT_RIGHTS,
 OP_GIVE, OP_GUEST, OP_RAW, OP_FAIL_ALLOC, OP_QUERY, OP_PORT_PROPERTY,
 OP_BRINGUP) = range(28)

# Table indexes (fuzz_sequence.c).
PRIV_ROOT, PRIV_PARENT, PRIV_TALK, PRIV_CHILD = 0, 1, 2, 3
REG = {'suspend': 0, 'scontrol': 2, 'simp': 3, 'siefp': 4, 'sint2': 5,
       'sint3': 6, 'eom': 7, 'sversion': 9, 'guest_os_id': 10, 'rip': 11,
       'cs': 12, 'gdtr': 13}
PROP = {'priv': 0, 'synth': 2, 'reserve': 3, 'cap': 4, 'weight': 5,
        'freeze': 6, 'compat': 7, 'vendor': 8}
MAPF = {'rw': 0, 'rwx': 1, 'r': 2, 'none': 3, 'w': 4}


class Seq:
    """Partition arguments are indexes into the live list (pre-order)."""

    def __init__(self, cfg=0):
        self.b = bytearray([cfg])

    def op(self, code, *args):
        self.b.append(code)
        self.b.extend(args)
        return self

    def out(self):
        return bytes(self.b)


FAST, MEM = 1, 0


def caller(idx, vp=0):
    return idx | vp << 6


def seq_seeds():
    s = {}

    def two_talkers(q_=None):
        x = q_ or Seq()
        # Root brings up A (live 1) and B (live 2): TALK privileges.
        x.op(OP_BRINGUP, caller(0), PRIV_PARENT, 8, 0, 0, 0, FAST, 0, MEM)
        x.op(OP_BRINGUP, caller(0), PRIV_TALK, 8, 0, 0, 0, FAST, 0, MEM)
        return x

    x = two_talkers()
    s['bringup-two'] = x.out()

    # Ports both ways, connections, posts, guest reads and EOM.
    x = two_talkers()
    # create port: pp, id, cp, b(type|sint<<2|modern), vp, [event bytes]
    x.op(OP_CREATE_PORT, caller(0), 1, 0, 2, 1 | 1 << 2 | 0x80, 0, 0, MEM)
    x.op(OP_CREATE_PORT, caller(0), 2, 0, 1, 1 | 1 << 2, 0, MEM)
    x.op(OP_CONNECT, caller(0), 2, 0, 1, 0, 1 | 0x80, FAST)
    x.op(OP_CONNECT, caller(0), 1, 0, 2, 0, 1, MEM)
    for i in range(4):
        x.op(OP_POST, caller(2), 0, 1, 8, MEM)
    x.op(OP_GUEST, 1, 0, 0x02, 2)          # clear A's SINT2 slot
    x.op(OP_SET_REGS, caller(1), 0xFC, 0, 0, REG['eom'], 0, FAST)
    x.op(OP_GUEST, 1, 0, 0x22, 0)          # ack SINT2
    x.op(OP_POST, caller(1), 0, 1, 240, MEM)
    s['talk-message'] = x.out()

    # Event port: A's port 3 fed by B, signal twice, clear SIEF, again.
    x = two_talkers()
    x.op(OP_CREATE_PORT, caller(0), 1, 2, 2, 2 | 1 << 2, 0, 0, 7, MEM)
    x.op(OP_CONNECT, caller(0), 2, 2, 1, 2, 2, MEM)
    x.op(OP_SIGNAL, caller(2), 2, 3, FAST)
    x.op(OP_SIGNAL, caller(2), 2, 3, FAST)
    x.op(OP_GUEST, 1, 0, 0x12, 3)
    x.op(OP_SIGNAL, caller(2), 2, 3, MEM)
    x.op(OP_SIGNAL, caller(2), 2, 9, FAST)
    s['talk-event'] = x.out()

    # Root's own ports and connections, left for the teardown.
    x = two_talkers()
    x.op(OP_DEPOSIT, caller(0), 0xFC, 200, 7, 0, MEM)
    x.op(OP_CREATE_PORT, caller(0), 0xFC, 0, 1, 1 | 1 << 2, 0xFF, MEM)
    x.op(OP_CREATE_PORT, caller(0), 1, 3, 0, 1 | 1 << 2, 0, MEM)
    x.op(OP_CONNECT, caller(0), 0, 3, 1, 3, 1, MEM)
    x.op(OP_CONNECT, caller(0), 1, 0, 0, 0, 1, MEM)
    x.op(OP_POST, caller(1), 0, 1, 16, MEM)
    x.op(OP_POST, caller(0), 3, 1, 16, MEM)
    x.op(OP_SET_REGS, caller(0), 0xFC, 0, 2, REG['scontrol'], 1,
         REG['simp'], 0x02 | 0x80, REG['sint2'], 0x02, MEM)
    x.op(OP_POST, caller(1), 0, 1, 16, MEM)
    x.op(OP_POST, caller(1), 0, 1, 16, MEM)
    s['root-ports'] = x.out()

    # Grandchild: root gives A pages it gives up, A brings up G.
    x = Seq()
    x.op(OP_BRINGUP, caller(0), PRIV_ROOT, 8, 0, 0, 0, FAST, 0, MEM)
    x.op(OP_GIVE, 1, 16, 0, 31, MEM, MEM)  # A's GPA 16-47 <- root 4-35
    x.op(OP_BRINGUP, caller(1), PRIV_TALK, 8, 0, 0, 0, FAST, 0, MEM)
    s['grandchild'] = x.out()

    # ... then A's VP 0 deleted: the teardown must give A a VP again.
    x = Seq(x.out()[0])
    x.b = bytearray(s['grandchild'])
    x.op(OP_DELETE_VP, caller(0), 1, 0, FAST)
    s['grandchild-no-vp'] = x.out()

    # ... or suspended by itself.
    x = Seq()
    x.b = bytearray(s['grandchild'])
    x.op(OP_SET_REGS, caller(1), 0xFC, 0xFE, 0, REG['suspend'], 1, FAST)
    s['grandchild-suspended'] = x.out()

    # Grandchild that talks to its parent, then the parent finalizes it.
    x = Seq()
    x.b = bytearray(s['grandchild'])
    x.op(OP_CREATE_PORT, caller(1), 2, 1, 1, 1 | 1 << 2, 0, MEM)
    x.op(OP_CONNECT, caller(1), 1, 2, 2, 1, 1, MEM)
    x.op(OP_POST, caller(1), 2, 1, 4, MEM)
    x.op(OP_POST, caller(1), 2, 1, 4, MEM)
    x.op(OP_FINALIZE, caller(1), 2, FAST)
    x.op(OP_POST, caller(1), 2, 1, 4, MEM)
    x.op(OP_WITHDRAW, caller(1), 2, 63, 0, MEM)
    x.op(OP_DELETE, caller(1), 2, FAST)
    s['grandchild-lifecycle'] = x.out()

    # Lifecycle from the root with rep_limit 2 (rep calls re-issued).
    x = Seq(2 << 2)
    x.op(OP_DEPOSIT, caller(0), 0xFC, 0, 15, 0, MEM)
    x.op(OP_CREATE, caller(0), 0, 0, 0, MEM)
    x.op(OP_SET_PROPERTY, caller(0), 1, PROP['priv'], PRIV_PARENT, MEM)
    x.op(OP_DEPOSIT, caller(0), 1, 20, 31, 0, MEM)
    x.op(OP_INITIALIZE, caller(0), 1, FAST)
    x.op(OP_MAP, caller(0), 1, 0, 60, 15, MAPF['rw'], MEM)
    x.op(OP_UNMAP, caller(0), 1, 4, 3, 0, MEM)
    x.op(OP_CREATE_VP, caller(0), 1, 0, 0, FAST)
    x.op(OP_CREATE_VP, caller(0), 1, 1, 0, MEM)
    x.op(OP_GET_REGS, caller(0), 1, 0, 3, REG['suspend'], REG['sversion'], REG['cs'], REG['gdtr'], MEM)
    x.op(OP_SET_PROPERTY, caller(0), 1, PROP['weight'], 2, MEM)
    x.op(OP_GET_PROPERTY, caller(0), 1, PROP['compat'], 0, FAST)
    x.op(OP_QUERY, caller(0), 2, 0, MEM)
    x.op(OP_QUERY, caller(0), 1, 0xFC, MEM)
    x.op(OP_FINALIZE, caller(0), 1, MEM)
    x.op(OP_WITHDRAW, caller(0), 1, 63, 0, MEM)
    x.op(OP_DELETE, caller(0), 1, FAST)
    s['lifecycle-replimit'] = x.out()

    # arm64, two root VPs, and the root changing its own rights.
    x = Seq(1 | 2)
    x.op(OP_BRINGUP, caller(0, 1), PRIV_TALK, 8, 0, 0, 0, FAST, 0, MEM)
    x.op(OP_ROOT_RIGHTS, 0, 15, MAPF['r'], MEM)
    x.op(OP_MAP, caller(0, 1), 1, 16, 0, 15, MAPF['rw'], MEM)
    x.op(OP_ROOT_RIGHTS, 0, 15, MAPF['none'], FAST)
    x.op(OP_DEPOSIT, caller(1), 0xFC, 16, 3, 0, FAST)
    x.op(OP_SET_REGS, caller(0, 1), 0xFC, 0, 0, REG['suspend'], 1, MEM)
    s['arm64-root-rights'] = x.out()

    # Allocation failures in the middle of a bring-up.
    for n in range(1, 5):
        x = Seq()
        x.op(OP_FAIL_ALLOC, n - 1)
        x.op(OP_BRINGUP, caller(0), PRIV_TALK, 8, 0, 0, 0, FAST, 0, MEM)
        x.op(OP_BRINGUP, caller(0), PRIV_TALK, 8, 0, 0, 0, FAST, 0, MEM)
        x.op(OP_FAIL_ALLOC, n)
        x.op(OP_CREATE_PORT, caller(0), 1, 0, 2, 1 | 1 << 2, 0, MEM)
        x.op(OP_FAIL_ALLOC, n)
        x.op(OP_CONNECT, caller(0), 2, 0, 1, 0, 1, MEM)
        x.op(OP_FAIL_ALLOC, n)
        x.op(OP_MAP, caller(0), 1, 0xF8, 40, 3, MAPF['rw'], MEM)
        x.op(OP_FAIL_ALLOC, n)
        x.op(OP_CREATE_VP, caller(0), 2, 2, 0, FAST)
        s['fail-alloc-%d' % n] = x.out()

    # Port properties, delete and reconnect with reused ids.
    x = Seq()
    x.b = bytearray(s['talk-message'])
    x.op(OP_PORT_PROPERTY, caller(0), 1, 0, 0x80 | 1, MEM)
    x.op(OP_PORT_PROPERTY, caller(0), 1, 0, 0, FAST)
    x.op(OP_DELETE_PORT, caller(0), 1, 0, FAST)
    x.op(OP_POST, caller(2), 0, 1, 8, MEM)
    x.op(OP_DISCONNECT, caller(0), 2, 0, FAST)
    x.op(OP_CREATE_PORT, caller(0), 1, 0, 2, 1 | 1 << 2, 0, MEM)
    x.op(OP_CONNECT, caller(0), 2, 0, 1, 0, 1, MEM)
    x.op(OP_POST, caller(2), 0, 1, 8, MEM)
    x.op(OP_FINALIZE, caller(0), 1, FAST)
    x.op(OP_POST, caller(2), 0, 1, 8, MEM)
    x.op(OP_SIGNAL, caller(2), 0, 1, MEM)
    s['ports-reuse'] = x.out()

    # Sixteen buffers full: the seventeenth post finds none; EOM drains.
    x = Seq()
    x.b = bytearray(s['talk-message'])
    for i in range(18):
        x.op(OP_POST, caller(2), 0, 1, 8, MEM)
    x.op(OP_DELETE_VP, caller(0), 1, 0, FAST)
    x.op(OP_POST, caller(2), 0, 1, 8, MEM)
    s['talk-full-buffers'] = x.out()

    # Four NUMA nodes, node-bound withdrawals.
    x = Seq(2 << 5)
    x.op(OP_BRINGUP, caller(0), PRIV_PARENT, 31, 1, 0, 0, FAST, 0, MEM)
    x.op(OP_WITHDRAW, caller(0), 1, 3, 3, MEM)
    x.op(OP_WITHDRAW, caller(0), 1, 3, 1, MEM)
    x.op(OP_QUERY, caller(0), 0x42, 1, MEM)
    s['numa4'] = x.out()

    # Raw calls: a memory-based create by a child, a fast rep call.
    x = two_talkers()
    x.op(OP_RAW, caller(1), 1, 56, *q(0))
    x.b.extend(bytes(56))
    x.op(OP_RAW, caller(0), 2, 0, *q(ctl(0x49, True, reps=4)))
    x.b.extend(q(2, 0) + bytes(14 * 8))
    s['raw'] = x.out()

    # Deposit from a child of pages it does not hold alone.
    x = two_talkers()
    x.op(OP_CREATE, caller(1), 0, 0, 0, FAST)
    x.op(OP_DEPOSIT, caller(1), 2, 0, 3, 0, MEM)
    x.op(OP_DEPOSIT, caller(1), 0xFC, 0, 3, 0, FAST)
    x.op(OP_DELETE, caller(1), 2, FAST)
    s['child-deposit-denied'] = x.out()

    # The same sequences on arm64 with rep_limit 1 (bits 4:2).
    for name in list(s):
        data = s[name]
        if data[0] == 0:
            s[name + '-arm64-rep1'] = bytes([1 | 1 << 2]) + data[1:]
    return s


# ---------------------------------------------------------------------------
# fuzz_nested: an encoder that follows fuzz_nested.c's reads.

(N_NEST, N_MAP, N_UNMAP, N_HAND, N_GIVE_UP, N_ROOT_RIGHTS, N_FUND,
 N_WITHDRAW, N_INITIALIZE, N_FINALIZE, N_DELETE, N_VP, N_TOUCH,
 N_ROOT_POOL) = range(14)
N_ROOT, N_C, N_G, N_GG = 0, 1, 2, 3     # pre-order indexes of one chain


def rootpage(p):
    """A root page argument: two bytes, 16 + value."""
    return [(p - 16) & 0xFF, (p - 16) >> 8]


class Nest:
    def __init__(self, cfg=0):
        self.b = bytearray([cfg])

    def op(self, code, *args):
        self.b.append(code)
        for a in args:
            if isinstance(a, list):
                self.b.extend(a)
            else:
                self.b.append(a)
        return self

    def out(self):
        return bytes(self.b)


def chain(cfg=0):
    """root -> C -> G -> GG, each running, each fed by its parent from
    pages handed down the spec.md §6 way."""
    x = Nest(cfg)
    # Root brings C up: fund 40 (its pool), root pages 272.. and 312-319
    # shared at C's 0-7.
    x.op(N_NEST, N_ROOT, 0, 14, rootpage(16), rootpage(16))
    # The root hands C its pages 16-70 at C's 8-62 (11 a time).
    for i in range(5):
        x.op(N_HAND, N_ROOT, 0, 8 + 11 * i, rootpage(16 + 11 * i), 10, 0)
    # C brings G up from its pages 8-37, its 0-7 shared at G's 0-7.
    x.op(N_NEST, N_C, 0, 4, 8, 0)
    # C hands G its pages 38-62 at G's 8-32 (SELF, own id, SELF).
    x.op(N_HAND, N_C, 0, 8, 38, 10, 0)
    x.op(N_HAND, N_C, 0, 19, 49, 10, 1)
    x.op(N_HAND, N_C, 0, 30, 60, 2, 0)
    # G brings GG up from its pages 8-33, its 0-7 shared at GG's 0-7.
    x.op(N_NEST, N_G, 0, 0, 8, 0)
    # Everyone writes its shared page 0.
    for who in (N_C, N_G, N_GG):
        x.op(N_TOUCH, who, 0, 0x11 * who)
    return x


def nest_seeds():
    s = {}
    s['chain'] = chain().out()

    x = chain()
    x.op(N_UNMAP, N_ROOT, 0, 0, 7)              # root takes C's 0-7
    x.op(N_TOUCH, N_GG, 0, 0x81)                # GG's block there fails
    x.op(N_TOUCH, N_G, 0, 0x80)
    s['chain-root-unmaps'] = x.out()

    x = chain()
    x.op(N_ROOT_RIGHTS, rootpage(312), 7, 2)    # root keeps read only
    x.op(N_TOUCH, N_GG, 1, 0x81)                # GG's output block fails
    x.op(N_ROOT_RIGHTS, rootpage(312), 7, 1)    # back to RWX: no one grows
    x.op(N_TOUCH, N_GG, 1, 0x81)
    s['chain-root-rights'] = x.out()

    x = chain()
    x.op(N_MAP, N_ROOT, 0, 0, rootpage(600), 3, 2)  # remap C's 0-3 read
    x.op(N_MAP, N_ROOT, 0, 4, rootpage(620), 3, 0)  # and 4-7 elsewhere
    x.op(N_TOUCH, N_GG, 2, 0x81)
    x.op(N_TOUCH, N_GG, 6, 0x80)
    s['chain-root-remaps'] = x.out()

    x = chain()
    x.op(N_UNMAP, N_C, 0, 0, 7)                 # C takes G's 0-7
    x.op(N_TOUCH, N_GG, 3, 0x81)
    x.op(N_UNMAP, N_ROOT, 0, 38, 10)            # C's handed 38-48: lent below
    x.op(N_UNMAP, N_C, 0, 8, 10)                # G's 8-18: lent to GG
    s['chain-child-unmaps'] = x.out()

    x = chain()
    x.op(N_WITHDRAW, N_G, 0, 11)                # G takes from GG
    x.op(N_WITHDRAW, N_G, 0, 11)
    x.op(N_FINALIZE, N_G, 0)
    x.op(N_WITHDRAW, N_G, 0, 11)
    x.op(N_WITHDRAW, N_G, 0, 11)
    x.op(N_WITHDRAW, N_G, 0, 11)
    x.op(N_DELETE, N_G, 0)
    x.op(N_UNMAP, N_ROOT, 0, 40, 10)            # now the root may
    x.op(N_GIVE_UP, N_G, 8, 10, 1)              # G gives up what is left
    s['chain-withdraw-back'] = x.out()

    x = chain()
    x.op(N_NEST, N_ROOT, 2, 14, rootpage(16), rootpage(16))  # C2: index 4
    x.op(N_MAP, N_ROOT, 1, 0, rootpage(312), 7, 1)  # C's shared frames in C2
    x.op(N_UNMAP, N_ROOT, 0, 0, 7)
    x.op(N_TOUCH, 4, 0, 0x42)
    x.op(N_TOUCH, N_GG, 0, 0x81)
    s['chain-frame-to-sibling'] = x.out()

    for name in list(s):
        data = s[name]
        s[name + '-arm64-rep1'] = bytes([1 | 1 << 1]) + data[1:]
        s[name + '-numa2'] = bytes([8]) + data[1:]
    return s

# fuzz_kvm_exit: exit kind, flags, 64 code bytes, struct kvm_regs, the XMM
# registers, CR0, EFER, CS base, segment bits, (RIP offset), exit fields.
K_IO, K_MMIO, K_RDMSR, K_WRMSR, K_HLT, K_SHUTDOWN = range(6)
K_INTERNAL = 8
F_NOXLATE, F_HCPAGE, F_FARCODE, F_HCALL, F_HCPAST, F_FARMMIO = 1, 2, 4, 8, 16, 32
F_OTHERMSR, F_MSROK = 64, 128
REG_ORDER = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rsp', 'rbp',
             'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
             'rip', 'rflags']


def kexit(kind, flags=0, code=b'', regs=None, cr0=0, efer=0, segbits=0,
          rip_off=0, tail=b''):
    regs = regs or {}
    out = bytes([kind, flags]) + code.ljust(64, b'\0')
    out += b''.join(struct.pack('<Q', regs.get(r, 2 if r == 'rflags' else 0))
                    for r in REG_ORDER)
    out += bytes(256)                        # XMM0-15
    out += struct.pack('<QQQ', cr0, efer, 0) + bytes([segbits])
    if not flags & F_FARCODE:
        out += bytes([rip_off])
    return out + tail


def kvm_seeds():
    s = {}
    LONG = dict(cr0=0x80000011, efer=0x500, segbits=1)
    s['io-out-e9'] = kexit(K_IO, 0, b'\xb0\x42\xe6\xe9\xf4', {'rax': 0x42},
                           rip_off=2, tail=struct.pack('<H', 0xE9) + b'\0\0\1')
    s['io-in-dx'] = kexit(K_IO, 0, b'\xec', {'rdx': 0x60}, rip_off=0,
                          tail=struct.pack('<H', 0x60) + b'\0\0\0')
    s['io-rep-outsb'] = kexit(K_IO, 0, b'\xf3\x6e', {'rcx': 4}, rip_off=0,
                              tail=struct.pack('<H', 0x3F8) + b'\0\1\1')
    for name, control, rdx, r8 in (
            ('getpartitionid', 0x46, 0x3000, 0x4000),
            ('fast-signal', 0x5D | 1 << 16, 10, 0),
            ('bad-input-gpa', 0x46, 0x3001, 0x4000),
            ('unmapped-output', 0x46, 0x3000, 0xF000)):
        for past in (0, F_HCPAST):
            s['hcall-' + name + ('-past' if past else '')] = kexit(
                K_IO, F_HCALL | F_HCPAGE | past, b'',
                {'rcx': control, 'rdx': rdx, 'r8': r8}, **LONG, rip_off=0)
    s['hcall-cpl3'] = kexit(K_IO, F_HCALL | F_HCPAGE, b'', {'rcx': 0x46},
                            cr0=0x80000011, efer=0x500, segbits=1 | 3 << 4)
    s['hcall-realmode'] = kexit(K_IO, F_HCALL | F_HCPAGE, b'', {'rcx': 0x46})
    s['mmio-unmapped-write'] = kexit(
        K_MMIO, 0, b'\xa2\x00\xf0', rip_off=3,
        tail=struct.pack('<Q', 15 * 4096) + b'\1\1' + bytes(8))
    s['mmio-ro-write'] = kexit(
        K_MMIO, 0, b'\x89\x07', {'rdi': 14 * 4096}, **LONG, rip_off=2,
        tail=struct.pack('<Q', 14 * 4096) + b'\4\1' + bytes(8))
    s['mmio-mapped-read'] = kexit(
        K_MMIO, 0, b'\x8b\x07', **LONG, rip_off=0,
        tail=struct.pack('<Q', 0x2010) + b'\4\0' + bytes(8))
    s['mmio-cross-page'] = kexit(
        K_MMIO, 0, b'\x8b\x07', **LONG, rip_off=0,
        tail=struct.pack('<Q', 14 * 4096 - 2) + b'\4\1' + bytes(8))
    for name, kind, idx, data in (
            ('guestosid', K_WRMSR, 0x00, 0x1234),
            ('hypercall', K_WRMSR, 0x01, 0x2001),
            ('hypercall-reserved', K_WRMSR, 0x01, 0x2005),
            ('vpindex', K_RDMSR, 0x02, 0),
            ('vpindex-write', K_WRMSR, 0x02, 1),
            ('refcount', K_RDMSR, 0x20, 0),
            ('scontrol-reserved', K_WRMSR, 0x80, 2),
            ('simp', K_WRMSR, 0x83, 0x5001),
            ('eom', K_WRMSR, 0x84, 0),
            ('sint-low-vector', K_WRMSR, 0x90, 5),
            ('sint', K_WRMSR, 0x92, 0x50),
            ('unknown', K_RDMSR, 0x70, 0)):
        s['msr-' + name] = kexit(kind, 0, b'', **LONG,
                                 tail=bytes([idx]) + struct.pack('<Q', data))
    # Installed intercepts: byte a (bits 0-1 the MSR's access, 2-3 all
    # MSRs', bit 4 the intercept names this MSR), then the MSR.
    for name, kind, a, flags in (
            ('read-intercepted', K_RDMSR, 0x11, F_MSROK),
            ('write-intercepted', K_WRMSR, 0x12, F_MSROK),
            ('write-not-named', K_WRMSR, 0x11, F_MSROK),
            ('all-reads', K_RDMSR, 0x04, F_MSROK),
            ('all-reads-write-by-hand', K_WRMSR, 0x04, F_MSROK),
            ('refused-by-kvm', K_RDMSR, 0x08, 0)):
        s['msr-icpt-' + name] = kexit(
            kind, F_OTHERMSR | flags, b'\x0f\x32', **LONG, rip_off=0,
            tail=bytes([0]) + struct.pack('<QBI', 0x1234, a, 0xC0000102))
    # Code fetched from GPAs: unmapped (15), read-only (14), mapped (1).
    for name, page in (('unmapped', 15), ('ro', 14), ('mapped', 1)):
        s['fetch-' + name] = kexit(K_INTERNAL, F_FARCODE, b'',
                                   {'rip': page * 4096}, cr0=1, tail=b'\1')
    s['hlt'] = kexit(K_HLT, 0, b'\xf4')
    s['shutdown'] = kexit(K_SHUTDOWN)
    return s


def write(d, seeds):
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), 'wb') as fp:
            fp.write(data)


if __name__ == '__main__':
    write(HV, hvcall_seeds())
    write(SEQ, seq_seeds())
    write(NEST, nest_seeds())
    write(KVM, kvm_seeds())
