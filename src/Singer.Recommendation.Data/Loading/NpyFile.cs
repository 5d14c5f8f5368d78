using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Singer.Recommendation;

/// <summary>
/// Reads and writes 2-D <c>float32</c>/<c>float64</c> NumPy <c>.npy</c> files (little-endian, C order,
/// format versions 1.0, 2.0 and 3.0) — the format of MMRec's <c>*_feat.npy</c> feature files.
/// </summary>
/// <remarks>
/// The reader validates the magic string, the version, the header dictionary and the declared
/// shape × item size against the file's length before it allocates the matrix, so a header that
/// claims 10^12 rows in a 1 KB file fails at once without allocating. Every value is checked to be finite;
/// a NaN or infinity fails with its row. <c>float64</c> values are converted to <c>float32</c>.
/// </remarks>
public static partial class NpyFile
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The largest header this reader accepts; NumPy's own headers are well below it.</summary>
    internal const int MaxHeaderLength = 1 << 16;

    /// <summary>Values allocated up front for a stream of unknown length (4 MiB of floats); the array grows from there.</summary>
    internal const int UnknownLengthInitialValues = 1 << 20;

    /// <summary>Reads a 2-D matrix as an <see cref="ItemModality"/> named <paramref name="name"/>.</summary>
    /// <exception cref="NpyFormatException">The file is not a valid 2-D float32/float64 C-order <c>.npy</c>, or holds NaN/Inf.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static ItemModality ReadModality(string path, string name)
    {
        var (rows, cols, data) = ReadMatrix(path);
        return new ItemModality(name, rows, cols, data, takeOwnership: true);
    }

    /// <summary>Reads a 2-D matrix: its shape and its row-major values as <c>float</c>.</summary>
    /// <exception cref="NpyFormatException">The file is not a valid 2-D float32/float64 C-order <c>.npy</c>, or holds NaN/Inf.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static (int Rows, int Columns, float[] Values) ReadMatrix(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = OpenRead(path);
        return ReadMatrix(stream, path);
    }

    /// <summary>Reads a 2-D matrix from a seekable or non-seekable stream; <paramref name="displayName"/> names it in errors.</summary>
    public static (int Rows, int Columns, float[] Values) ReadMatrix(Stream stream, string displayName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long? length = stream.CanSeek ? stream.Length - stream.Position : null;
        var header = ReadHeader(stream, displayName, length);
        long payload = header.Rows * header.Columns * header.ItemSize;
        if (length is { } total && total - header.HeaderBytes != payload)
        {
            throw new NpyFormatException(displayName, null, string.Create(CultureInfo.InvariantCulture,
                $"the header declares shape ({header.Rows}, {header.Columns}) of {header.Descr} = {payload:N0} data bytes, but the file holds {total - header.HeaderBytes:N0} after its {header.HeaderBytes}-byte header; the file is truncated or the header is wrong."));
        }

        if (header.Rows > int.MaxValue || header.Columns > int.MaxValue || header.Rows * header.Columns > Array.MaxLength)
        {
            throw new NpyFormatException(displayName, null, string.Create(CultureInfo.InvariantCulture,
                $"shape ({header.Rows}, {header.Columns}) exceeds the largest matrix this library holds in one array ({Array.MaxLength:N0} values)."));
        }

        int rows = (int)header.Rows, cols = (int)header.Columns;
        long valueCount = (long)rows * cols;
        // A seekable file's length was checked against the header, so the matrix is allocated at once. A stream of
        // unknown length can end early, so its array grows as rows arrive instead of trusting the declared shape.
        var values = new float[length is null ? Math.Min(valueCount, UnknownLengthInitialValues) : valueCount];
        var rowBytes = new byte[checked(cols * header.ItemSize)];
        for (int r = 0; r < rows; r++)
        {
            int read = stream.ReadAtLeast(rowBytes, rowBytes.Length, throwOnEndOfStream: false);
            if (read < rowBytes.Length)
            {
                throw new NpyFormatException(displayName, r, $"the file ends inside this row ({read} of {rowBytes.Length} bytes); it is truncated.");
            }

            long end = (long)(r + 1) * cols;
            if (end > values.Length)
            {
                Array.Resize(ref values, (int)Math.Min(valueCount, Math.Max(end, 2L * values.Length)));
            }

            var dest = values.AsSpan(r * cols, cols);
            for (int c = 0; c < cols; c++)
            {
                float v = header.ItemSize == 4
                    ? BinaryPrimitives.ReadSingleLittleEndian(rowBytes.AsSpan(c * 4))
                    : (float)BinaryPrimitives.ReadDoubleLittleEndian(rowBytes.AsSpan(c * 8));
                if (!float.IsFinite(v))
                {
                    double original = header.ItemSize == 4 ? v : BinaryPrimitives.ReadDoubleLittleEndian(rowBytes.AsSpan(c * 8));
                    string what = double.IsNaN(original) ? "NaN"
                        : double.IsInfinity(original) ? "infinite"
                        : $"{original.ToString("R", CultureInfo.InvariantCulture)}, which overflows float32";
                    throw new NpyFormatException(displayName, r, $"column {c} is {what}; features must be finite numbers.");
                }

                dest[c] = v;
            }
        }

        if (length is null && stream.ReadByte() != -1)
        {
            throw new NpyFormatException(displayName, null, "the file has bytes after the declared data; the header is wrong.");
        }

        return (rows, cols, values);
    }

    /// <summary>Writes a row-major <c>float32</c> matrix as a version 1.0 <c>.npy</c> file, through a temporary file that is renamed into place.</summary>
    public static void Write(string path, int rows, int columns, ReadOnlySpan<float> values)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                Write(stream, rows, columns, values);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Writes a modality's matrix to <paramref name="path"/>.</summary>
    public static void Write(string path, ItemModality modality)
    {
        ArgumentNullException.ThrowIfNull(modality);
        Write(path, modality.ItemCount, modality.Dimension, modality.Values);
    }

    /// <summary>Writes a row-major <c>float32</c> matrix to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, int rows, int columns, ReadOnlySpan<float> values)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if ((long)rows * columns != values.Length)
        {
            throw new ArgumentException($"{values.Length} values do not form a {rows} × {columns} matrix.", nameof(values));
        }

        string dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '<f4', 'fortran_order': False, 'shape': ({rows}, {columns}), }}");
        // Pad so that the data starts on a 64-byte boundary, as NumPy does; the header ends with '\n'.
        int unpadded = Magic.Length + 2 + 2 + dict.Length + 1;
        int padding = (64 - (unpadded % 64)) % 64;
        string text = dict + new string(' ', padding) + "\n";
        var head = new byte[Magic.Length + 4];
        Magic.CopyTo(head, 0);
        head[6] = 1;
        head[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(8), checked((ushort)text.Length));
        stream.Write(head);
        stream.Write(Encoding.ASCII.GetBytes(text));
        var buffer = new byte[Math.Max(4, Math.Min(values.Length, 16384) * 4)];
        for (int start = 0; start < values.Length; start += buffer.Length / 4)
        {
            int n = Math.Min(buffer.Length / 4, values.Length - start);
            for (int i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(i * 4), values[start + i]);
            }

            stream.Write(buffer, 0, n * 4);
        }
    }

    internal static FileStream OpenRead(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"Feature file not found: {path}", path, e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new FileNotFoundException($"Feature file not found: {path}", path, e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new UnauthorizedAccessException(
                Directory.Exists(path) ? $"Feature file {path} is a folder, not a file." : $"Feature file {path} cannot be read: {e.Message}", e);
        }
    }
}
