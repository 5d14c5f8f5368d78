using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Singer.Recommendation.Tests.BadInputs;

/// <summary>Edits the entries of a saved model file (a zip archive) to damage it in controlled ways.</summary>
internal static class ModelFileSurgery
{
    public static byte[] ReadEntry(string path, string entry)
    {
        using var zip = ZipFile.OpenRead(path);
        using var s = zip.GetEntry(entry)!.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    public static void Remove(string path, string entry)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        zip.GetEntry(entry)!.Delete();
    }

    /// <summary>Replaces an entry; with <paramref name="fixChecksum"/> the manifest's SHA-256 is updated so that only the content check can object.</summary>
    public static void Rewrite(string path, string entry, Func<byte[], byte[]> change, bool fixChecksum)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Update);
        var e = zip.GetEntry(entry)!;
        byte[] bytes;
        using (var s = e.Open())
        using (var ms = new MemoryStream())
        {
            s.CopyTo(ms);
            bytes = change(ms.ToArray());
        }

        e.Delete();
        using (var s = zip.CreateEntry(entry).Open())
        {
            s.Write(bytes);
        }

        if (fixChecksum)
        {
            var m = zip.GetEntry("manifest.json")!;
            JsonNode manifest;
            using (var s = m.Open())
            {
                manifest = JsonNode.Parse(s)!;
            }

            manifest["Sha256"]![entry] = Convert.ToHexString(SHA256.HashData(bytes));
            m.Delete();
            using var w = zip.CreateEntry("manifest.json").Open();
            w.Write(Encoding.UTF8.GetBytes(manifest.ToJsonString()));
        }
    }

    /// <summary>Edits the manifest's JSON (the manifest itself carries no checksum).</summary>
    public static void EditManifest(string path, Action<JsonNode> edit) =>
        Rewrite(path, "manifest.json", b =>
        {
            var node = JsonNode.Parse(b)!;
            edit(node);
            return Encoding.UTF8.GetBytes(node.ToJsonString());
        }, fixChecksum: false);
}
