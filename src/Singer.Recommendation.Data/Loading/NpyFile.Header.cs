using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Singer.Recommendation;

// The .npy header: its layout (shape, item size, data offset) parsed and checked against the file.
public static partial class NpyFile
{
    /// <summary>
    /// The layout of a 2-D <c>.npy</c> file from its header alone: shape, bytes per value and where the data starts. The
    /// file's length is checked against the declared shape, so a truncated file fails here, before any row is read.
    /// Used by range readers that map only some rows of a large file (Singer.Recommendation.Orleans).
    /// </summary>
    /// <exception cref="NpyFormatException">The header is invalid, or the file is shorter or longer than it declares.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    internal static NpyLayout ReadLayout(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = OpenRead(path);
        long length = stream.Length;
        var header = ReadHeader(stream, path, length);
        long payload = header.Rows * header.Columns * header.ItemSize;
        if (length - header.HeaderBytes != payload)
        {
            throw new NpyFormatException(path, null, string.Create(CultureInfo.InvariantCulture,
                $"the header declares shape ({header.Rows}, {header.Columns}) of {header.Descr} = {payload:N0} data bytes, but the file holds {length - header.HeaderBytes:N0} after its {header.HeaderBytes}-byte header; the file is truncated or the header is wrong."));
        }

        return new NpyLayout(header.Rows, header.Columns, header.ItemSize, header.HeaderBytes, length);
    }

    /// <summary>Where the values of a 2-D <c>.npy</c> file are: <see cref="DataOffset"/> + (row · columns + column) · item size.</summary>
    internal readonly record struct NpyLayout(long Rows, long Columns, int ItemSize, long DataOffset, long FileLength);

    private readonly record struct NpyHeader(long Rows, long Columns, int ItemSize, string Descr, long HeaderBytes);

    private static NpyHeader ReadHeader(Stream stream, string name, long? length)
    {
        Span<byte> prefix = stackalloc byte[12];
        int got = stream.ReadAtLeast(prefix[..8], 8, throwOnEndOfStream: false);
        if (got < 8 || !prefix[..6].SequenceEqual(Magic))
        {
            throw new NpyFormatException(name, null,
                got == 0 ? "the file is empty; expected a NumPy .npy file." : "not a NumPy .npy file: the magic string \\x93NUMPY is missing.");
        }

        byte major = prefix[6], minor = prefix[7];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw new NpyFormatException(name, null, $".npy format version {major}.{minor} is not supported; versions 1.0, 2.0 and 3.0 are.");
        }

        int lengthBytes = major == 1 ? 2 : 4;
        if (stream.ReadAtLeast(prefix.Slice(8, lengthBytes), lengthBytes, throwOnEndOfStream: false) < lengthBytes)
        {
            throw new NpyFormatException(name, null, "the file ends inside the header length; it is truncated.");
        }

        long headerLength = major == 1
            ? BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..])
            : BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        long headerBytes = 8 + lengthBytes + headerLength;
        if (headerLength > MaxHeaderLength || (length is { } total && headerBytes > total))
        {
            throw new NpyFormatException(name, null, string.Create(CultureInfo.InvariantCulture,
                $"the header claims {headerLength:N0} bytes, more than the file{(headerLength > MaxHeaderLength ? " format allows here" : " holds")}; the file is truncated or corrupt."));
        }

        var textBytes = new byte[headerLength];
        if (stream.ReadAtLeast(textBytes, textBytes.Length, throwOnEndOfStream: false) < textBytes.Length)
        {
            throw new NpyFormatException(name, null, "the file ends inside the header; it is truncated.");
        }

        string text;
        try
        {
            text = (major == 3 ? new UTF8Encoding(false, true) : Encoding.Latin1).GetString(textBytes);
        }
        catch (DecoderFallbackException)
        {
            throw new NpyFormatException(name, null, "the header is not valid UTF-8.");
        }

        var dict = HeaderRegex().Match(text.Trim());
        if (!dict.Success)
        {
            throw new NpyFormatException(name, null, $"the header is not a NumPy header dictionary: '{Shorten(text)}'.");
        }

        string descr = FindEntry(text, "descr", name);
        string fortran = FindEntry(text, "fortran_order", name);
        string shape = FindEntry(text, "shape", name);
        descr = descr.Trim('\'', '"');
        int itemSize = descr switch
        {
            "<f4" => 4,
            "<f8" => 8,
            _ => throw new NpyFormatException(name, null,
                $"dtype '{descr}' is not supported; save the features as little-endian float32 ('<f4') or float64 ('<f8'), for example with numpy.asarray(x, dtype=numpy.float32).") ,
        };
        if (fortran != "False")
        {
            throw new NpyFormatException(name, null,
                fortran == "True"
                    ? "the matrix is stored in Fortran (column-major) order; save it in C order (numpy.ascontiguousarray(x))."
                    : $"fortran_order is '{fortran}', expected True or False.");
        }

        var dims = shape.Trim().TrimStart('(').TrimEnd(')').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var sizes = new long[dims.Length];
        for (int i = 0; i < dims.Length; i++)
        {
            if (!long.TryParse(dims[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]))
            {
                throw new NpyFormatException(name, null, $"shape '{shape}' is not a tuple of non-negative integers.");
            }
        }

        if (sizes.Length != 2)
        {
            throw new NpyFormatException(name, null,
                $"the array has {sizes.Length} dimension{(sizes.Length == 1 ? "" : "s")} (shape {shape}); item features must be a 2-D matrix (items × features).");
        }

        if (sizes[1] == 0)
        {
            throw new NpyFormatException(name, null, $"shape {shape} has no feature columns.");
        }

        // Overflow-safe size check: rows × cols × itemSize must fit the file before anything is allocated.
        // BigInteger, not decimal: two dimensions near long.MaxValue overflow decimal (≈ 7.9·10^28).
        var declared = new System.Numerics.BigInteger(sizes[0]) * sizes[1] * itemSize;
        if (declared > long.MaxValue || (length is { } len && declared > len - headerBytes))
        {
            throw new NpyFormatException(name, null,
                string.Create(CultureInfo.InvariantCulture, $"the header declares shape ({sizes[0]}, {sizes[1]}) of {descr} = {declared:N0} data bytes, but the file holds {(length is { } l ? (l - headerBytes).ToString("N0", CultureInfo.InvariantCulture) : "fewer")}; the file is truncated or the header is wrong."));
        }

        return new NpyHeader(sizes[0], sizes[1], itemSize, descr, headerBytes);
    }

    private static string FindEntry(string header, string key, string name)
    {
        var m = Regex.Match(header, $"['\"]{key}['\"]\\s*:\\s*(\\([^)]*\\)|'[^']*'|\"[^\"]*\"|True|False)");
        if (!m.Success)
        {
            throw new NpyFormatException(name, null, $"the header has no valid '{key}' entry: '{Shorten(header)}'.");
        }

        return m.Groups[1].Value;
    }

    private static string Shorten(string s)
    {
        s = s.Trim();
        return s.Length <= 120 ? s : s[..117] + "...";
    }

    [GeneratedRegex(@"^\{.*\}$", RegexOptions.Singleline)]
    private static partial Regex HeaderRegex();
}
