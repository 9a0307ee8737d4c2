"""``WIDTH`` (16) float64 lanes as one numba value of type ``Lanes``, an LLVM
``<16 x double>``, with the arithmetic the engine needs.

numba's own pipeline leaves LLVM's SLP vectoriser off and fully unrolls short lane loops before its loop
vectoriser sees them, so ``for l in range(8)`` over arrays stays scalar code.  Here a value of type
``Lanes`` is an LLVM vector: +, -, *, / between vectors (and with scalars, broadcast) are single IEEE
operations per lane, exactly the scalar operation lane by lane (no fused multiply-add, no reassociation),
and LLVM lowers them to whatever the host has: two AVX-512 registers, or four AVX2 registers.

``load(a, i)`` / ``store(a, i, v)``: lanes a[i:i+WIDTH] of a 1-D float64 array; ``splat(x)``; ``select_lt(a, b, x, y)``:
x where a < b else y, lane by lane; ``pow2_halves(t)``: the two exact powers of two of ``vexp``'s scaling.
"""

from __future__ import annotations

import operator

from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, models, overload, register_model

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
