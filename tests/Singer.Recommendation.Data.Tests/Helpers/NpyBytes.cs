using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Singer.Recommendation.Data.Tests.Helpers;

/// <summary>
/// Builds <c>.npy</c> files byte by byte, independently of <see cref="NpyFile"/>, so the reader is tested against
/// the NumPy format description rather than against our own writer.
/// </summary>
internal static class NpyBytes
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The header dictionary NumPy writes.</summary>
    public static string Dict(string descr, string shape, bool fortran = false) =>
        $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";

    /// <summary>Magic, version, header length and the padded header text (ends with '\n', total a multiple of 64).</summary>
    public static byte[] Header(string dict, byte major = 1, byte minor = 0, bool pad = true)
    {
        int lengthBytes = major == 1 ? 2 : 4;
        int unpadded = Magic.Length + 2 + lengthBytes + dict.Length + 1;
        int padding = pad ? (64 - (unpadded % 64)) % 64 : 0;
        byte[] text = Encoding.UTF8.GetBytes(dict + new string(' ', padding) + "\n");
        var head = new byte[Magic.Length + 2 + lengthBytes];
        Magic.CopyTo(head, 0);
        head[6] = major;
        head[7] = minor;
        if (major == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(8), (ushort)text.Length);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(8), (uint)text.Length);
        }

        return [.. head, .. text];
    }

    /// <summary>A complete float32 file of a row-major matrix.</summary>
    public static byte[] Float32(int rows, int cols, float[] values, byte major = 1)
    {
        var data = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
        }

        return [.. Header(Dict("<f4", Shape(rows, cols)), major), .. data];
    }

    /// <summary>A complete float64 file of a row-major matrix.</summary>
    public static byte[] Float64(int rows, int cols, double[] values, byte major = 1)
    {
        var data = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(i * 8), values[i]);
        }

        return [.. Header(Dict("<f8", Shape(rows, cols)), major), .. data];
    }

    public static string Shape(long rows, long cols) => string.Create(CultureInfo.InvariantCulture, $"({rows}, {cols})");
}
