using static TorchSharp.torch;
using Singer.Recommendation.Internal;

namespace Singer.Recommendation.Encoders;

/// <summary>
/// Parameter initialisation from an explicit generator, so that a model's initial weights depend only on its seed
/// (not on TorchSharp's global random state or on other models built before it).
/// </summary>
internal static class ParameterInit
{
    /// <summary>Xavier (Glorot) uniform values for a <c>[rows, columns]</c> matrix: <c>U(−b, b)</c>, <c>b = √(6 / (rows + columns))</c>.</summary>
    public static Tensor XavierUniform(long rows, long columns, Generator generator, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        double bound = Math.Sqrt(6.0 / (rows + columns));
        return Uniform(rows, columns, bound, generator, device);
    }

    /// <summary>Uniform values in <c>(−bound, bound)</c> for a <c>[rows, columns]</c> matrix (columns may be 0 for a vector).</summary>
    public static Tensor Uniform(long rows, long columns, double bound, Generator generator, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(generator);
        using var scope = NewDisposeScope();
        var shape = columns == 0 ? new[] { rows } : new[] { rows, columns };
        var values = rand(shape, generator: generator).Times(2.0).Plus(-1.0).Times(bound);
        if (device is not null && device.type != TorchSharp.DeviceType.CPU)
        {
            values = values.to(device);
        }

        return values.MoveToOuterDisposeScope();
    }
}
