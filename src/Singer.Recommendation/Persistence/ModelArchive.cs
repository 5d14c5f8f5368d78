using System.IO.Compression;
using System.Security.Cryptography;

namespace Singer.Recommendation;

/// <summary>
/// The zip container of a model file: opening it, adding entries, and reading entries with the limits that keep a
/// damaged or forged archive from sizing an allocation, each checked against its SHA-256 in the manifest.
/// </summary>
internal static class ModelArchive
{
    private const long MaxEntryBytes = 8L << 30;

    /// <summary>Opens <paramref name="stream"/> (which stays open) as a zip archive for reading.</summary>
    /// <exception cref="CorruptModelFileException">Not a zip archive, or its directory is truncated.</exception>
    public static ZipArchive Open(Stream stream, string source)
    {
        try
        {
            return new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new CorruptModelFileException(source, "not a model archive, or truncated (the zip directory cannot be read).", null, e);
        }
    }

    /// <summary>Adds one entry.</summary>
    public static void Add(ZipArchive zip, string name, byte[] bytes)
    {
        var entry = zip.CreateEntry(name, CompressionLevel.Fastest);
        using var s = entry.Open();
        s.Write(bytes);
    }

    /// <summary>Reads every entry <paramref name="sha256"/> lists and checks it against its checksum before any is used.</summary>
    /// <exception cref="CorruptModelFileException">An entry is missing, cannot be inflated, or does not match its checksum.</exception>
    public static Dictionary<string, byte[]> ReadVerified(ZipArchive zip, IReadOnlyDictionary<string, string> sha256, string source)
    {
        var bytes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var (name, expected) in sha256)
        {
            var content = ReadEntry(zip, name, source);
            string actual = Convert.ToHexString(SHA256.HashData(content));
            if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
            {
                throw new CorruptModelFileException(source, $"entry '{name}' does not match its SHA-256 in the manifest; the file is corrupted or was modified.", name);
            }

            bytes[name] = content;
        }

        return bytes;
    }

    /// <summary>One entry's bytes, inflated no further than its declared length.</summary>
    /// <exception cref="CorruptModelFileException">The entry is missing, too large, or cannot be inflated.</exception>
    public static byte[] ReadEntry(ZipArchive zip, string name, string source)
    {
        ZipArchiveEntry? found;
        try
        {
            // The archive reads its central directory on first use, so a damaged directory surfaces here.
            found = zip.GetEntry(name);
        }
        catch (InvalidDataException e)
        {
            throw new CorruptModelFileException(source, $"not a model archive, or truncated (the zip directory cannot be read: {e.Message}).", null, e);
        }

        var entry = found ?? throw new CorruptModelFileException(source, $"the entry '{name}' is missing.", name);
        if (entry.Length > MaxEntryBytes)
        {
            throw new CorruptModelFileException(source, $"the entry '{name}' declares {entry.Length:N0} bytes, more than a model holds.", name);
        }

        try
        {
            // The declared length is a claim of the file: grow with the data actually inflated, and stop as soon as
            // it exceeds the claim, so that neither a forged length nor a zip bomb sizes the allocation.
            using var s = entry.Open();
            using var ms = new MemoryStream((int)Math.Min(entry.Length, 64 << 10));
            var buffer = new byte[16 << 10];
            int n;
            while ((n = s.Read(buffer)) > 0)
            {
                if (ms.Length + n > entry.Length)
                {
                    throw new InvalidDataException($"it inflates beyond its declared {entry.Length:N0} bytes");
                }

                ms.Write(buffer, 0, n);
            }

            if (ms.Length != entry.Length)
            {
                throw new InvalidDataException($"read {ms.Length} of {entry.Length} bytes");
            }

            return ms.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new CorruptModelFileException(source, $"the entry '{name}' cannot be decompressed ({e.Message}); the file is damaged.", name, e);
        }
    }
}
