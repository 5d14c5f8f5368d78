using System.IO.Compression;
using System.Security.Cryptography;
using FsCheck;
using FsCheck.Fluent;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using Xunit.Abstractions;

namespace Singer.Recommendation.Fuzz.Tests;

/// <summary>
/// Model files: byte mutations of a tiny saved model — of the archive itself, and of one entry's content with the
/// manifest's checksum repaired so that the parsers behind the SHA-256 check see the damage — either still load or
/// raise a <see cref="ModelFileException"/>, finish, and allocate a bounded multiple of the file size.
/// </summary>
public sealed class ModelFileFuzzTests(ITestOutputHelper output)
{
    public const int Cases = 10_000;

    /// <summary>Loading inflates the entries and builds the model's managed parts; 32× the file plus 1 MB bounds that (the largest seen is about 550 KB for the 4 KB file).</summary>
    private const int AllocationFactor = 32;
    private const int AllocationConstant = 1 << 20;

    private static readonly Lazy<byte[]> TinyModel = new(() =>
    {
        var data = SyntheticDataGenerator.Generate(new SyntheticDataOptions
        {
            Users = 12, Items = 10, Interactions = 70, Clusters = 2, ImageDimension = 4, TextDimension = 3, Seed = 3,
        });
        using var model = SingerModelBuilder.Singer(data)
            .UseSemanticGraph(k: 3, coInteractionK: 3)
            .WithTraining(t => t.EmbeddingSize(4).MaxEpochs(1).BatchSize(64))
            .Build();
        using var ms = new MemoryStream();
        model.Save(ms);
        return ms.ToArray();
    });

    [Fact]
    public void Archive_byte_mutations_raise_only_ModelFileException_and_allocate_little()
    {
        byte[] valid = TinyModel.Value;
        Load(valid).Error.Should().BeNull("the unmutated tiny model loads");
        var tally = new Harness.Tally();
        var property = Prop.ForAll(Generators.Mutations.ToArbitrary(), mutations =>
        {
            byte[] bytes = valid.ToArray();
            foreach (var m in mutations)
            {
                bytes = m.Apply(bytes);
            }

            return Check(bytes, $"archive mutations {string.Join(", ", mutations)}", tally);
        });

        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true), property);

        output.WriteLine($"model file ({valid.Length:N0} bytes), archive mutations: {tally}");
        tally.Cases.Should().BeGreaterThanOrEqualTo(Cases);
    }

    [Fact]
    public void Entry_mutations_behind_a_repaired_checksum_raise_only_ModelFileException()
    {
        byte[] valid = TinyModel.Value;
        var entries = ReadEntries(valid);
        string[] names = [.. entries.Keys.Order(StringComparer.Ordinal)];
        var tally = new Harness.Tally();
        var input = from e in Gen.Choose(0, names.Length - 1)
                    from mutations in Generators.Mutations
                    select (Entry: names[e], Mutations: mutations);
        var property = Prop.ForAll(input.ToArbitrary(), c =>
        {
            byte[] content = entries[c.Entry].ToArray();
            foreach (var m in c.Mutations)
            {
                content = m.Apply(content);
            }

            var damaged = new Dictionary<string, byte[]>(entries, StringComparer.Ordinal) { [c.Entry] = content };
            if (c.Entry != "manifest.json")
            {
                damaged["manifest.json"] = RepairChecksum(entries["manifest.json"], c.Entry, content);
            }

            return Check(WriteArchive(damaged, names), $"entry {c.Entry}, mutations {string.Join(", ", c.Mutations)}", tally);
        });

        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true), property);

        output.WriteLine($"model file, entry mutations with repaired checksums: {tally}");
        tally.Cases.Should().BeGreaterThanOrEqualTo(Cases);
    }

    private static Outcome Load(byte[] bytes, string description = "the valid file") =>
        Harness.Run(() => SingerModel.Load(new MemoryStream(bytes, writable: false), name: "fuzz.singer").Dispose(), description);

    private static bool Check(byte[] bytes, string description, Harness.Tally tally)
    {
        var outcome = Load(bytes, description);
        tally.Add(outcome, bytes.Length);
        Harness.Expect<ModelFileException>(outcome, bytes.Length, AllocationFactor, AllocationConstant, description);

        return true;
    }

    private static Dictionary<string, byte[]> ReadEntries(byte[] archive)
    {
        using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        var result = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var e in zip.Entries)
        {
            using var s = e.Open();
            using var ms = new MemoryStream();
            s.CopyTo(ms);
            result[e.FullName] = ms.ToArray();
        }

        return result;
    }

    private static byte[] WriteArchive(Dictionary<string, byte[]> entries, string[] order)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (string name in order)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                s.Write(entries[name]);
            }
        }

        return ms.ToArray();
    }

    private static byte[] RepairChecksum(byte[] manifest, string entry, byte[] content)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(manifest)!;
        node["Sha256"]![entry] = Convert.ToHexString(SHA256.HashData(content));
        return System.Text.Encoding.UTF8.GetBytes(node.ToJsonString());
    }
}
