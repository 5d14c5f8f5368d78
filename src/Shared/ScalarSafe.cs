using TorchSharp;
using static TorchSharp.torch;

namespace Singer.Recommendation.Internal;

/// <summary>
/// Tensor operations with a number, written so that every <see cref="Scalar"/> lives until its native call returns.
/// </summary>
/// <remarks>
/// In TorchSharp 0.107 an implicit number → <see cref="Scalar"/> conversion (<c>t * 0.5f</c>, <c>t &gt; 0</c>,
/// <c>a + b</c> whose <c>alpha</c> is an implicit 1, <c>t.square()</c>, <c>softplus(t)</c>, …) makes a temporary that
/// nothing references once its native handle has been read, so a garbage collection started by another thread
/// during the native call can run its finalizer and free the number while libtorch is still reading it: the call
/// then sees garbage ("Expected false to be true … toLong") or crashes. It is rare, but a long training run or a busy
/// service hits it. The library therefore creates every Scalar explicitly in a <c>using</c> scope, through these
/// helpers; <c>ScalarLifetimeTests</c> scans the compiled library for any call that would make one implicitly.
/// <para>
/// Upstream: dotnet/TorchSharp pull request #1434 ("Dispose Scalars implicitly created in Tensor operators") and its
/// continuation #1496 ("Dispose implicitly converted TorchSharp.Scalar and torch.Tensor"), both open when this was
/// written. When a TorchSharp release with them is referenced, the helpers (and this file) can go: replace each call
/// with the plain operator and keep <c>ScalarLifetimeTests</c> green.
/// </para>
/// <para>
/// Compiled only into the projects that set <c>&lt;UseScalarSafe&gt;true&lt;/UseScalarSafe&gt;</c> (Core, Graphs,
/// Encoders, Perturbation, Losses and Singer.Recommendation; see Directory.Build.props).
/// </para>
/// </remarks>
internal static class ScalarSafe
{
    /// <summary><c>a + b</c>.</summary>
    public static Tensor Plus(this Tensor a, Tensor b)
    {
        using var one = 1.ToScalar();
        return a.add(b, one);
    }

    /// <summary><c>a += b</c> in place; returns <paramref name="a"/>.</summary>
    public static Tensor PlusInPlace(this Tensor a, Tensor b)
    {
        using var one = 1.ToScalar();
        return a.add_(b, one);
    }

    /// <summary><c>a + value</c>.</summary>
    public static Tensor Plus(this Tensor a, double value)
    {
        using var v = value.ToScalar();
        using var one = 1.ToScalar();
        return a.add(v, one);
    }

    /// <summary><c>a + value</c> for an integer value (an integer tensor stays an integer tensor).</summary>
    public static Tensor Plus(this Tensor a, long value)
    {
        using var v = value.ToScalar();
        using var one = 1.ToScalar();
        return a.add(v, one);
    }

    /// <summary><c>a * value</c> for an integer value (an integer tensor stays an integer tensor).</summary>
    public static Tensor Times(this Tensor a, long value)
    {
        using var v = value.ToScalar();
        return a.mul(v);
    }

    /// <summary>
    /// <c>a * value</c>. A <see cref="float"/> argument widens exactly, and a Scalar holds its number as a double either
    /// way, so <c>t.Times(0.1f)</c> multiplies by the same number as <c>t * 0.1f</c>.
    /// </summary>
    public static Tensor Times(this Tensor a, double value)
    {
        using var v = value.ToScalar();
        return a.mul(v);
    }

    /// <summary><c>a / value</c>.</summary>
    public static Tensor DividedBy(this Tensor a, double value)
    {
        using var v = value.ToScalar();
        return a.div(v);
    }

    /// <summary><c>a²</c> element-wise (<c>a * a</c>: the same values and gradient as <c>square</c>, without its implicit exponent).</summary>
    public static Tensor Squared(this Tensor a) => a.mul(a);

    /// <summary><c>a &gt; value</c>.</summary>
    public static Tensor GreaterThan(this Tensor a, double value)
    {
        using var v = value.ToScalar();
        return a.gt(v);
    }

    /// <summary>A tensor of the given shape filled with <paramref name="value"/>.</summary>
    public static Tensor Filled(long[] shape, float value, Device? device = null, ScalarType dtype = ScalarType.Float32)
    {
        using var v = value.ToScalar();
        return full(shape, v, dtype: dtype, device: device);
    }
}
