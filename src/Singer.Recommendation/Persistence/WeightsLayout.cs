using TorchSharp;

namespace Singer.Recommendation;

/// <summary>
/// Checks the layout of <c>weights.bin</c> (TorchSharp's <c>Module.save</c> format: an entry count, then per
/// parameter its name, dtype, rank, dimensions and raw bytes, integers LEB128-encoded) against the parameters of
/// the model it is loaded into — before TorchSharp reads it. TorchSharp sizes arrays from the stream before it
/// compares them (a forged rank of 10⁹ would allocate 8 GB), so a damaged file must be stopped here.
/// </summary>
internal static class WeightsLayout
{
    /// <exception cref="IncompatibleModelFileException">The layout does not match the model's parameters.</exception>
    public static void Check(torch.nn.Module network, byte[] weights, string source)
    {
        var expected = network.state_dict();
        string? problem = Problem(expected, weights);
        if (problem is not null)
        {
            throw new IncompatibleModelFileException(source, $"weights.bin does not fit the declared model ({problem}).");
        }
    }

    private static string? Problem(Dictionary<string, torch.Tensor> expected, byte[] weights)
    {
        int p = 0;
        if (!TryDecode(weights, ref p, out long count))
        {
            return "the entry count cannot be read";
        }

        if (count != expected.Count)
        {
            return $"it holds {count} tensors; the model has {expected.Count}";
        }

        for (long i = 0; i < count; i++)
        {
            if (!TryDecode(weights, ref p, out long nameLength) || nameLength > 1024 || p + nameLength > weights.Length)
            {
                return $"the name of tensor {i} cannot be read";
            }

            string name;
            try
            {
                name = new System.Text.UTF8Encoding(false, true).GetString(weights, p, (int)nameLength);
            }
            catch (ArgumentException)
            {
                return $"the name of tensor {i} is not UTF-8";
            }

            p += (int)nameLength;
            if (!expected.TryGetValue(name, out var tensor))
            {
                return $"the model has no parameter '{name}'";
            }

            if (!TryDecode(weights, ref p, out long dtype) || dtype != (long)tensor.dtype)
            {
                return $"'{name}' is not of type {tensor.dtype}";
            }

            if (!TryDecode(weights, ref p, out long rank) || rank != tensor.shape.Length)
            {
                return $"'{name}' does not have {tensor.shape.Length} dimensions";
            }

            foreach (long d in tensor.shape)
            {
                if (!TryDecode(weights, ref p, out long stored) || stored != d)
                {
                    return $"'{name}' does not have the shape ({string.Join(", ", tensor.shape)})";
                }
            }

            long bytes = tensor.NumberOfElements * tensor.ElementSize;
            if (weights.Length - p < bytes)
            {
                return $"'{name}' is truncated";
            }

            p += (int)bytes;
        }

        return p == weights.Length ? null : $"{weights.Length - p} bytes follow the last tensor";
    }

    /// <summary>Reads an unsigned LEB128 integer of at most 9 bytes (63 bits).</summary>
    private static bool TryDecode(byte[] bytes, ref int p, out long value)
    {
        value = 0;
        for (int shift = 0; shift < 63; shift += 7)
        {
            if (p >= bytes.Length)
            {
                return false;
            }

            byte b = bytes[p++];
            value |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
