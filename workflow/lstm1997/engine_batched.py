"""The compiled engine with runs in the vector lanes: ``LANES`` (16) independent runs in lock step on one core.

Same network, same float64 arithmetic, same options (``engine.Options``) and the same entry point as
``engine.train_runs``, so ``Lstm97(engine="batched")`` is a drop-in.  A group of ``LANES`` runs keeps every
quantity of the scalar engine as a flat array whose innermost (contiguous) axis is the run: weights
(rows, 11, LANES), states (4, LANES), the truncated gradient's d s_c / d w (4, 11, LANES), full BPTT's
history (T, ..., LANES).  The arithmetic is written on ``Lanes`` vectors (below) of LANES float64
(an LLVM ``<16 x double>``), which LLVM lowers to the host's registers: two AVX-512 registers or four
AVX2 registers per value, detected by numba when it compiles for the host CPU, never assumed.  16 lanes
rather than one register's worth: the time step is a chain of dependent exponentials, and independent
registers in flight hide their latency (measured at T = 100 under load: 8 lanes 5.3x the scalar engine,
16 lanes 7.0x, 32 lanes 6.4x).  ``train_runs`` splits the runs into groups of ``LANES`` and runs the
groups in parallel (``prange``), one group per core at a time.  A group costs the same however few of its
lanes hold runs: a run alone trains at about a sixteenth of a group's rate, slower than the scalar engine;
this engine pays where many runs train together (a sweep's groups, a Table 7 row's trials in one job).

Arithmetic: every expression is the scalar engine's, in its order (its helpers ``squash``, ``squash_slope``,
``h_slope`` themselves, inlined), no fused multiply-add, no reassociation, except the exponential:
llvmlite from PyPI has no SVML, so ``math.exp`` in a lane loop stays a scalar libm call; ``vexp``
(Cody-Waite reduction with its rounding error carried, degree-13 Taylor polynomial, exact 1 + r,
exact scaling by 2^k) is within ``EXP_ULP_BOUND`` = 0.75 ulp of exp (measured 0.70 against an
extended-precision reference over millions of points), so within 1 ulp of libm's exp and equal to it
on about 98% of arguments; exp(x) = inf above 709.78 and 0 below -745.13, so the logistic saturates to
exactly 0 and 1 as in the scalar engine.  The weights stay within 1e-12 of the scalar engine's after
1,000 sequences, both gradients and every network option (tests/test_engine_batched.py: measured
4.4e-16), and a run's trajectory does not depend on which runs share its group.

Masking: a group steps to its longest sequence; a lane whose sequence has ended keeps z, activations,
states (selects) and its RTRL sums (its coefficients are 0 and its forget factor 1, and x + 0 = x);
full BPTT's backward steps past a lane's length add 0 and keep its dE/dy and dE/ds.  A lane whose run
has done its ``counts`` sequences neither updates its weights nor writes errors; the unused lanes of the
last group are such lanes from the start.

The truncated gradient is formed per step (RTRL, A.1) as in the scalar engine.  The deferred formation
(d s_c / d w = sum_t a_c(t) z(t) over a stored z history at the sequence end: the same sums in the same
order, so the same bits) was measured against it and lost (T = 100, 16 lanes: 4.5x the scalar engine
against 7.4x per step, in the same runs): it adds the history's stores and its sums are latency-bound.
Column count: hidden units use 11 columns of z or, with the cells-only connectivity, 7; the engine always
sums 11 with the absent weights held at 0 in its working copy (x + 0 = x), and writes back and updates only
the present ones.

numba's cache tracks this file: the lane vector type and its operations are defined here too, so that an
edit to them recompiles the kernels.
"""

from __future__ import annotations

import math
import operator

import numba
import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic, models, overload, register_model

from . import engine
from .engine import CELLS_PER_BLOCK, FORGET, IN_GATE, N_BLOCKS, N_CELLS, N_COLS, N_HIDDEN, N_OUT, N_ROWS_MAX, OUT_GATE, RECURRENT, Workspace

# --- lane vectors ---------------------------------------------------------------------------------
# WIDTH float64 lanes as one numba value of type ``Lanes``, an LLVM <WIDTH x double>.  numba's own pipeline
# leaves LLVM's SLP vectoriser off and fully unrolls short lane loops before its loop vectoriser sees them,
# so ``for l in range(16)`` over arrays stays scalar code.  A ``Lanes`` value is an LLVM vector: +, -, *, /
# between vectors (and with scalars, broadcast) are single IEEE operations per lane, exactly the scalar
# operation lane by lane (no fused multiply-add, no reassociation), and LLVM lowers them to whatever the
# host has: two AVX-512 registers, or four AVX2 registers.  ``load(a, i)`` / ``store(a, i, v)``: lanes
# a[i:i+WIDTH] of a 1-D float64 array; ``splat(x)``; ``select_lt(a, b, x, y)``: x where a < b else y, lane
# by lane; ``pow2_halves(t, shifter)``: the two exact powers of two of ``vexp``'s scaling.  They live in this
# file so that numba's cache, which tracks the file of the functions it caches, sees any edit to them.

WIDTH = 16
VEC = ir.VectorType(ir.DoubleType(), WIDTH)
IVEC = ir.VectorType(ir.IntType(64), WIDTH)


class LanesType(types.Type):
    def __init__(self):
        super().__init__(name="Lanes")


Lanes = LanesType()


@register_model(LanesType)
class _LanesModel(models.PrimitiveModel):
    def __init__(self, dmm, fe_type):
        super().__init__(dmm, fe_type, VEC)


def _is_vec(t):
    return isinstance(t, LanesType)


def _is_scalar(t):
    return isinstance(t, (types.Float, types.Integer))


def _splat_value(builder, value):
    vt = IVEC if isinstance(value.type, ir.IntType) else VEC
    vec = builder.insert_element(ir.Constant(vt, ir.Undefined), value, ir.Constant(ir.IntType(32), 0))
    return builder.shuffle_vector(vec, vec, ir.Constant(ir.VectorType(ir.IntType(32), WIDTH), [0] * WIDTH))


@intrinsic
def splat(typingctx, x):
    """All lanes = the scalar x (as float64)."""
    if not _is_scalar(x):
        return None

    def codegen(context, builder, sig, args):
        return _splat_value(builder, context.cast(builder, args[0], sig.args[0], types.float64))

    return Lanes(x), codegen


@intrinsic
def load(typingctx, arr, i):
    """Lanes arr[i], ..., arr[i + WIDTH - 1] of a contiguous 1-D float64 array (no bounds check)."""
    if not (isinstance(arr, types.Array) and arr.dtype == types.float64 and arr.ndim == 1 and _is_scalar(i)):
        return None

    def codegen(context, builder, sig, args):
        a = context.make_array(sig.args[0])(context, builder, args[0])
        ptr = cgutils.gep(builder, a.data, context.cast(builder, args[1], sig.args[1], types.intp))
        return builder.load(builder.bitcast(ptr, VEC.as_pointer()), align=8)

    return Lanes(arr, i), codegen


@intrinsic
def store(typingctx, arr, i, v):
    """arr[i], ..., arr[i + WIDTH - 1] = lanes of v."""
    if not (isinstance(arr, types.Array) and arr.dtype == types.float64 and arr.ndim == 1 and _is_scalar(i) and _is_vec(v)):
        return None

    def codegen(context, builder, sig, args):
        a = context.make_array(sig.args[0])(context, builder, args[0])
        ptr = cgutils.gep(builder, a.data, context.cast(builder, args[1], sig.args[1], types.intp))
        builder.store(args[2], builder.bitcast(ptr, VEC.as_pointer()), align=8)
        return context.get_dummy_value()

    return types.none(arr, i, v), codegen


def _binary(instruction):
    @intrinsic
    def op(typingctx, a, b):
        if not (_is_vec(a) and _is_vec(b)):
            return None

        def codegen(context, builder, sig, args):
            return getattr(builder, instruction)(args[0], args[1])

        return Lanes(a, b), codegen

    return op


vadd, vsub, vmul, vdiv = (_binary(name) for name in ("fadd", "fsub", "fmul", "fdiv"))


def _overload_binary(operators, vop):
    def impl(a, b):
        if _is_vec(a) and _is_vec(b):
            return lambda a, b: vop(a, b)
        if _is_vec(a) and _is_scalar(b):
            return lambda a, b: vop(a, splat(b))
        if _is_scalar(a) and _is_vec(b):
            return lambda a, b: vop(splat(a), b)
        return None

    for o in operators:
        overload(o)(impl)


_overload_binary((operator.add, operator.iadd), vadd)
_overload_binary((operator.sub, operator.isub), vsub)
_overload_binary((operator.mul, operator.imul), vmul)
_overload_binary((operator.truediv, operator.itruediv), vdiv)


@intrinsic
def _vneg(typingctx, a):
    if not _is_vec(a):
        return None

    def codegen(context, builder, sig, args):
        return builder.fneg(args[0])

    return Lanes(a), codegen


@overload(operator.neg)
def _neg(a):
    if _is_vec(a):
        return lambda a: _vneg(a)
    return None


@intrinsic
def _select_lt(typingctx, a, b, x, y):
    if not all(_is_vec(t) for t in (a, b, x, y)):
        return None

    def codegen(context, builder, sig, args):
        return builder.select(builder.fcmp_ordered("<", args[0], args[1]), args[2], args[3])

    return Lanes(a, b, x, y), codegen


def vec(v):
    """v itself if it is an ``Lanes``, else ``splat(v)``."""
    raise NotImplementedError("compiled use only")


@overload(vec)
def _vec_impl(v):
    if _is_vec(v):
        return lambda v: v
    if _is_scalar(v):
        return lambda v: splat(v)
    return None


def select_lt(a, b, x, y):
    """Lane by lane: x where a < b (ordered: false for NaN) else y; scalars broadcast."""
    raise NotImplementedError("compiled use only")


@overload(select_lt)
def _select_lt_impl(a, b, x, y):
    if not all(_is_vec(t) or _is_scalar(t) for t in (a, b, x, y)):
        return None
    return lambda a, b, x, y: _select_lt(vec(a), vec(b), vec(x), vec(y))


@intrinsic
def pow2_halves(typingctx, t, shifter):
    """(2^(k >> 1), 2^(k - (k >> 1))) per lane, k = bits(t) - bits(shifter): t = shifter + k exactly
    (``vexp``'s rounded x log2 e); both powers are normal for -1076 <= k <= 1025, their product is 2^k."""
    if not (_is_vec(t) and isinstance(shifter, types.Float)):
        return None

    def codegen(context, builder, sig, args):
        ti = builder.bitcast(args[0], IVEC)
        si = _splat_value(builder, builder.bitcast(args[1], ir.IntType(64)))
        k = builder.sub(ti, si)
        k1 = builder.ashr(k, ir.Constant(IVEC, [1] * WIDTH))
        k2 = builder.sub(k, k1)
        bias, shift = ir.Constant(IVEC, [1023] * WIDTH), ir.Constant(IVEC, [52] * WIDTH)
        s1 = builder.bitcast(builder.shl(builder.add(k1, bias), shift), VEC)
        s2 = builder.bitcast(builder.shl(builder.add(k2, bias), shift), VEC)
        return context.make_tuple(builder, sig.return_type, [s1, s2])

    return types.UniTuple(Lanes, 2)(t, shifter), codegen


LANES = WIDTH
"""Runs per group (16): two AVX-512 registers of float64, four AVX2 registers."""

_jit = njit(cache=True, error_model="numpy", fastmath=False)

# g and h of A.1 and their slopes: ``engine``'s own definitions, inlined here (its cached dispatchers, called
# with lane vectors, would store specialisations for this module's types in the scalar engine's cache).
squash, squash_slope, h_slope = (njit(inline="always")(f.py_func) for f in (engine.squash, engine.squash_slope, engine.h_slope))


# --- exp ---------------------------------------------------------------------------------------

LOG2E = 1.4426950408889634
SHIFTER = 6755399441055744.0  # 1.5 * 2^52: x log2(e) + SHIFTER rounds x log2(e) to the nearest integer
LN2_HI = 6.93147180369123816490e-01  # ln 2 rounded to 32 significant bits: k LN2_HI is exact for |k| < 2^21
LN2_LO = 1.90821492927058770002e-10  # ln 2 - LN2_HI
EXP_MAX = 710.0  # exp(710) = inf in float64
EXP_MIN = -746.0  # exp(-746) = 0 in float64
EXP_ULP_BOUND = 0.75
"""Stated bound of ``vexp``'s error in units in the last place of the exact result (normal results)."""
(_C2, _C3, _C4, _C5, _C6, _C7, _C8, _C9, _C10, _C11, _C12, _C13) = (1.0 / math.factorial(n) for n in range(2, 14))


@_jit
def vexp(x):
    """exp of the lanes of x (``Lanes``) from additions, multiplications and bit moves only.

    x = k ln2 + r with k = round(x / ln2), |r| <= ln2/2 (Cody-Waite: k LN2_HI exact, r's rounding error c
    kept); exp(r) = (1 + r) + (r^2 q(r) + c) with q the Taylor polynomial of (exp(r) - 1 - r) / r^2 to r^11
    (truncation < 0.05 ulp) and 1 + r summed exactly (Fast2Sum); the result times 2^(k >> 1) times
    2^(k - (k >> 1)), both exact.  Error below ``EXP_ULP_BOUND`` ulp; inf for x > 709.78, 0 for
    x < -745.13 (subnormal results rounded twice), NaN for NaN.
    """
    x = select_lt(EXP_MAX, x, EXP_MAX, x)
    x = select_lt(x, EXP_MIN, EXP_MIN, x)
    t = x * LOG2E + SHIFTER
    kf = t - SHIFTER
    hi = x - kf * LN2_HI
    lo = kf * LN2_LO
    r = hi - lo
    c = (hi - r) - lo
    q = r * _C13 + _C12
    q = q * r + _C11
    q = q * r + _C10
    q = q * r + _C9
    q = q * r + _C8
    q = q * r + _C7
    q = q * r + _C6
    q = q * r + _C5
    q = q * r + _C4
    q = q * r + _C3
    q = q * r + _C2
    s = 1.0 + r
    e = (1.0 - s) + r
    p = s + (e + ((r * r) * q + c))
    s1, s2 = pow2_halves(t, SHIFTER)
    return p * s1 * s2


@_jit
def vsigmoid(x):
    """The logistic 1 / (1 + exp(-x)) of ``engine.sigmoid``, lane by lane, with ``vexp``."""
    return 1.0 / (1.0 + vexp(-x))


@_jit
def vexp_array(x, out):
    """out = vexp(x) for 1-D float64 arrays of the same length (tests, bench)."""
    n = x.shape[0]
    full = n - n % LANES
    for i in range(0, full, LANES):
        store(out, i, vexp(load(x, i)))
    if full < n:
        tail = np.zeros(LANES)
        tail[: n - full] = x[full:]
        store(tail, 0, vexp(load(tail, 0)))
        out[full:] = tail[: n - full]


# --- one group ----------------------------------------------------------------------------------
# Every quantity of the scalar engine is a flat float64 array, lane l of entry i at i * LANES + l.

L = LANES


@_jit
def _forward_step(W, xb, t, lnv, z, sg, act, s, yf, s_prev, rows, forget, g_range, h_range):
    """One forward step of every lane (``engine.step``); lanes with t >= their length keep z, act, s, yf."""
    tv = float(t)
    for j in range(2):
        store(z, (1 + j) * L, select_lt(tv, lnv, load(xb, (2 * t + j) * L), load(z, (1 + j) * L)))
    for k in range(N_HIDDEN):
        store(z, (RECURRENT + k) * L, select_lt(tv, lnv, load(act, k * L), load(z, (RECURRENT + k) * L)))
    if forget:
        for c in range(N_CELLS):
            store(s_prev, c * L, load(s, c * L))
    for r in range(IN_GATE, rows):
        acc = load(W, r * N_COLS * L) * load(z, 0)
        for j in range(1, N_COLS):
            acc = acc + load(W, (r * N_COLS + j) * L) * load(z, j * L)
        if r < N_HIDDEN:
            store(act, r * L, select_lt(tv, lnv, vsigmoid(acc), load(act, r * L)))
        else:
            store(yf, (r - FORGET) * L, select_lt(tv, lnv, vsigmoid(acc), load(yf, (r - FORGET) * L)))
    for c in range(N_CELLS):
        b = c // CELLS_PER_BLOCK
        acc = load(W, c * N_COLS * L) * load(z, 0)
        for j in range(1, N_COLS):
            acc = acc + load(W, (c * N_COLS + j) * L) * load(z, j * L)
        sgc = vsigmoid(acc)
        store(sg, c * L, sgc)
        sc = load(yf, b * L) * load(s, c * L) + load(act, (IN_GATE + b) * L) * squash(sgc, g_range)
        sc = select_lt(tv, lnv, sc, load(s, c * L))
        store(s, c * L, sc)
        y_c = load(act, (OUT_GATE + b) * L) * squash(vsigmoid(sc), h_range)
        store(act, c * L, select_lt(tv, lnv, y_c, load(act, c * L)))


@_jit
def _output_gradient(Wo, tgv, gWo, act, dyc, opts):
    """``engine.output_gradient`` for every lane; returns target - y."""
    net_k = load(Wo, 0)
    for c in range(N_CELLS):
        net_k = net_k + load(Wo, (1 + c) * L) * load(act, c * L)
    y = net_k
    if not opts.linear:
        y = vsigmoid(net_k)
    e = tgv - y
    d_net = -opts.err_factor * e
    if not opts.linear:
        d_net = d_net * (y * (1.0 - y))
    store(gWo, 0, d_net)
    for c in range(N_CELLS):
        store(gWo, (1 + c) * L, d_net * load(act, c * L))
        store(dyc, c * L, d_net * load(Wo, (1 + c) * L))
    return e


@_jit
def _reset(ws, opts):
    """``engine.reset`` for every lane."""
    ws.z[:] = 0.0
    ws.z[:L] = 1.0
    ws.act[:] = opts.initial_activation
    ws.s[:] = 0.0
    ws.yf[:] = 1.0


@_jit
def _truncated_group(W, Wo, xb, ln, tg, gW, gWo, err, ws, rows, opts):
    """``engine.truncated_sequence`` for every lane (RTRL, per step): fills gW, gWo, err."""
    z, sg, act, s, yf, s_prev, dyc = ws.z, ws.sg, ws.act, ws.s, ws.yf, ws.s_prev, ws.dyc
    dS_cell, dS_in, dS_f = ws.dS_cell, ws.dS_in, ws.dS_f
    forget = rows > FORGET
    g_range, h_range = opts.g_range, opts.h_range
    _reset(ws, opts)
    dS_cell[:] = 0.0
    dS_in[:] = 0.0
    dS_f[:] = 0.0
    lnv = load(ln, 0)
    steps = int(ln.max())
    for t in range(steps):
        tv = float(t)
        _forward_step(W, xb, t, lnv, z, sg, act, s, yf, s_prev, rows, forget, g_range, h_range)
        for c in range(N_CELLS):
            b = c // CELLS_PER_BLOCK
            y_in, sgc = load(act, (IN_GATE + b) * L), load(sg, c * L)
            d_cell = select_lt(tv, lnv, squash_slope(sgc, g_range) * y_in, 0.0)  # g'(net_c) y_in
            d_in = select_lt(tv, lnv, squash(sgc, g_range) * y_in * (1.0 - y_in), 0.0)  # g(net_c) f_in'(net_in)
            if forget:
                f = load(yf, b * L)
                d_f = select_lt(tv, lnv, load(s_prev, c * L) * f * (1.0 - f), 0.0)
                f = select_lt(tv, lnv, f, 1.0)
                for j in range(N_COLS):
                    o, zj = (c * N_COLS + j) * L, load(z, j * L)
                    store(dS_cell, o, f * load(dS_cell, o) + d_cell * zj)
                    store(dS_in, o, f * load(dS_in, o) + d_in * zj)
                    store(dS_f, o, f * load(dS_f, o) + d_f * zj)
            else:  # y_f = 1.0 exactly, and 1.0 * dS is dS
                for j in range(N_COLS):
                    o, zj = (c * N_COLS + j) * L, load(z, j * L)
                    store(dS_cell, o, load(dS_cell, o) + d_cell * zj)
                    store(dS_in, o, load(dS_in, o) + d_in * zj)
    e = _output_gradient(Wo, load(tg, 0), gWo, act, dyc, opts)
    store(err, 0, e)
    gW[:] = 0.0
    for c in range(N_CELLS):
        b = c // CELLS_PER_BLOCK
        h = squash(vsigmoid(load(s, c * L)), h_range)
        y_out = load(act, (OUT_GATE + b) * L)
        dy = load(dyc, c * L)
        e_s = dy * y_out * h_slope(h, h_range)  # dE/ds_c through h
        d_out = dy * h * y_out * (1.0 - y_out)
        for j in range(N_COLS):
            o = (c * N_COLS + j) * L
            store(gW, o, e_s * load(dS_cell, o))
            oi = ((IN_GATE + b) * N_COLS + j) * L
            store(gW, oi, load(gW, oi) + e_s * load(dS_in, o))
            oo = ((OUT_GATE + b) * N_COLS + j) * L
            store(gW, oo, load(gW, oo) + d_out * load(z, j * L))
            if forget:
                of = ((FORGET + b) * N_COLS + j) * L
                store(gW, of, load(gW, of) + e_s * load(dS_f, o))


@_jit
def _full_group(W, Wo, xb, ln, tg, gW, gWo, err, ws, rows, opts):
    """``engine.full_sequence`` for every lane: exact BPTT over a (T, ..., lanes) history; a lane's steps
    past its length neither change its state forward nor its dE/dy, dE/ds and gradient backward."""
    z, sg, act, s, yf, s_prev, dyc = ws.z, ws.sg, ws.act, ws.s, ws.yf, ws.s_prev, ws.dyc
    z_h, act_h, sg_h, s_h, yf_h = ws.z_h, ws.act_h, ws.sg_h, ws.s_h, ws.yf_h
    dact, dnet, ds = ws.dact, ws.dnet, ws.ds
    forget = rows > FORGET
    g_range, h_range, n_cols = opts.g_range, opts.h_range, opts.n_cols
    _reset(ws, opts)
    lnv = load(ln, 0)
    steps = int(ln.max())
    for t in range(steps):
        _forward_step(W, xb, t, lnv, z, sg, act, s, yf, s_prev, rows, forget, g_range, h_range)
        z_h[t * N_COLS * L : (t + 1) * N_COLS * L] = z
        act_h[t * N_HIDDEN * L : (t + 1) * N_HIDDEN * L] = act
        sg_h[t * N_CELLS * L : (t + 1) * N_CELLS * L] = sg
        s_h[t * N_CELLS * L : (t + 1) * N_CELLS * L] = s
        yf_h[t * N_BLOCKS * L : (t + 1) * N_BLOCKS * L] = yf
    e = _output_gradient(Wo, load(tg, 0), gWo, act, dyc, opts)
    store(err, 0, e)
    gW[:] = 0.0
    ds[:] = 0.0
    dact[:] = 0.0
    dact[: N_CELLS * L] = dyc
    two_g = 2.0 * g_range
    for t in range(steps - 1, -1, -1):
        tv = float(t)
        H, A, C, B = t * N_COLS * L, t * N_HIDDEN * L, t * N_CELLS * L, t * N_BLOCKS * L
        dnet[IN_GATE * L :] = 0.0
        dnet[IN_GATE * L : N_HIDDEN * L] = dact[IN_GATE * L : N_HIDDEN * L]
        for c in range(N_CELLS):
            b = c // CELLS_PER_BLOCK
            sgc = load(sg_h, C + c * L)
            h = squash(vsigmoid(load(s_h, C + c * L)), h_range)
            dy = load(dact, c * L)
            o = (OUT_GATE + b) * L
            store(dnet, o, load(dnet, o) + dy * h)
            dsc = load(ds, c * L) + dy * load(act_h, A + (OUT_GATE + b) * L) * h_slope(h, h_range)
            o = (IN_GATE + b) * L
            store(dnet, o, load(dnet, o) + dsc * squash(sgc, g_range))
            # g'(net_c) written out as in the scalar engine (the published runs' rounding)
            store(dnet, c * L, dsc * load(act_h, A + (IN_GATE + b) * L) * two_g * sgc * (1.0 - sgc))
            if forget and t > 0:
                o = (FORGET + b) * L
                store(dnet, o, load(dnet, o) + dsc * load(s_h, C - N_CELLS * L + c * L))
            store(ds, c * L, select_lt(tv, lnv, dsc * load(yf_h, B + b * L), load(ds, c * L)))
        for r in range(IN_GATE, N_HIDDEN):
            a = load(act_h, A + r * L)
            store(dnet, r * L, load(dnet, r * L) * (a * (1.0 - a)))
        for b in range(rows - FORGET):
            f = load(yf_h, B + b * L)
            store(dnet, (FORGET + b) * L, load(dnet, (FORGET + b) * L) * (f * (1.0 - f)))
        for r in range(rows):
            dn = select_lt(tv, lnv, load(dnet, r * L), 0.0)
            store(dnet, r * L, dn)
            for j in range(N_COLS):
                o = (r * N_COLS + j) * L
                store(gW, o, load(gW, o) + dn * load(z_h, H + j * L))
        for k in range(N_HIDDEN):
            if RECURRENT + k < n_cols:
                acc = load(dnet, 0) * load(W, (RECURRENT + k) * L)
                for r in range(1, rows):
                    acc = acc + load(dnet, r * L) * load(W, (r * N_COLS + RECURRENT + k) * L)
                store(dact, k * L, select_lt(tv, lnv, acc, load(dact, k * L)))
            else:
                store(dact, k * L, select_lt(tv, lnv, 0.0, load(dact, k * L)))


@_jit
def _workspace(width):
    """An ``engine.Workspace`` for one group: every slot flat, ``LANES`` values per entry of the scalar
    engine's slot (``engine.SCRATCH``, then ``engine.HISTORY`` for ``width`` steps); net inputs stay in
    registers, so ``net`` is never used."""
    return Workspace(
        np.zeros(N_COLS * L),
        np.zeros(N_ROWS_MAX * L),
        np.zeros(N_CELLS * L),
        np.zeros(N_HIDDEN * L),
        np.zeros(N_CELLS * L),
        np.ones(N_BLOCKS * L),
        np.zeros(N_CELLS * L),
        np.zeros(N_CELLS * N_COLS * L),
        np.zeros(N_CELLS * N_COLS * L),
        np.zeros(N_CELLS * N_COLS * L),
        np.zeros(N_CELLS * L),
        np.zeros(N_HIDDEN * L),
        np.zeros(N_ROWS_MAX * L),
        np.zeros(N_CELLS * L),
        np.zeros(width * N_COLS * L),
        np.zeros(width * N_HIDDEN * L),
        np.zeros(width * N_CELLS * L),
        np.zeros(width * N_CELLS * L),
        np.ones(width * N_BLOCKS * L),
    )


@_jit
def train_group(theta, inputs, lengths, targets, stream, counts, lr, opts, errors, runs):
    """Runs ``runs`` (at most ``LANES`` indices) of ``train_runs`` in the lanes of one group."""
    n = runs.shape[0]
    P = theta.shape[1]
    rows = (P - N_OUT) // N_COLS
    n_cols = opts.n_cols
    trainable = opts.trainable
    W = np.zeros(rows * N_COLS * L)  # absent columns (j >= n_cols) stay 0 here
    Wo = np.zeros(N_OUT * L)
    lrg = np.zeros(L)
    cnt = np.zeros(L)
    ks = np.zeros(L, dtype=np.int64)
    for l in range(n):
        r = runs[l]
        for p in range(rows * N_COLS):
            if p % N_COLS < n_cols:
                W[p * L + l] = theta[r, p]
        for o in range(N_OUT):
            Wo[o * L + l] = theta[r, rows * N_COLS + o]
        lrg[l] = lr[r]
        cnt[l] = counts[r]
        ks[l] = stream[r]
    for l in range(n, L):
        ks[l] = stream[runs[0]]
    n_seq = int(cnt.max())
    width = inputs.shape[2]
    xb = np.zeros(width * 2 * L)
    ln = np.zeros(L)
    tg = np.zeros(L)
    err = np.zeros(L)
    gW = np.zeros(rows * N_COLS * L)
    gWo = np.zeros(N_OUT * L)
    ws = _workspace(width if opts.full else 1)
    lrv, cntv = load(lrg, 0), load(cnt, 0)
    for i in range(n_seq):
        for l in range(L):
            if i < cnt[l]:
                k = ks[l]
                ln[l] = lengths[k, i]
                tg[l] = targets[k, i]
                for t in range(lengths[k, i]):
                    xb[2 * t * L + l] = inputs[k, i, t, 0]
                    xb[(2 * t + 1) * L + l] = inputs[k, i, t, 1]
            else:
                ln[l] = 0.0
        if opts.full:
            _full_group(W, Wo, xb, ln, tg, gW, gWo, err, ws, rows, opts)
        else:
            _truncated_group(W, Wo, xb, ln, tg, gW, gWo, err, ws, rows, opts)
        for l in range(n):
            if i < cnt[l]:
                errors[runs[l], i] = err[l]
        iv = float(i)
        for p in range(rows * N_COLS):
            if p % N_COLS < n_cols:
                w = load(W, p * L)
                store(W, p * L, select_lt(iv, cntv, w - lrv * (load(gW, p * L) * trainable[p]), w))
        for o in range(N_OUT):
            w = load(Wo, o * L)
            store(Wo, o * L, select_lt(iv, cntv, w - lrv * (load(gWo, o * L) * trainable[rows * N_COLS + o]), w))
    for l in range(n):
        r = runs[l]
        for p in range(rows * N_COLS):
            if p % N_COLS < n_cols:
                theta[r, p] = W[p * L + l]
        for o in range(N_OUT):
            theta[r, rows * N_COLS + o] = Wo[o * L + l]


def train_runs(theta, inputs, lengths, targets, stream, counts, lr, opts, errors):
    """``engine.train_runs`` with the runs in vector lanes, parallel over groups of ``LANES`` runs; same
    arguments, same results up to ``vexp`` (weights within 1e-12 of the scalar engine's after 1,000 sequences).

    ``counts`` may differ between runs: the runs are grouped by count, longest first, so that a group
    steps little past its shortest run, and the groups are dealt to the threads in turn (the first
    thread the 1st, (k+1)-th, ... longest of k threads' groups), so that each thread gets a like share.
    Which runs share a group changes no run's result.
    """
    _train_runs(theta, inputs, lengths, targets, stream, counts, lr, opts, errors, numba.get_num_threads())


@njit(cache=True, error_model="numpy", fastmath=False, parallel=True)
def _train_runs(theta, inputs, lengths, targets, stream, counts, lr, opts, errors, threads):
    R = theta.shape[0]
    if R == 0:
        return
    order = np.argsort(-counts, kind="mergesort")
    groups = (R + LANES - 1) // LANES
    threads = min(threads, groups)
    per_thread = (groups + threads - 1) // threads
    for k in prange(threads * per_thread):
        g = (k % per_thread) * threads + k // per_thread  # iteration k of thread k // per_thread
        if g < groups:
            train_group(theta, inputs, lengths, targets, stream, counts, lr, opts, errors, order[g * LANES : min(R, (g + 1) * LANES)])
