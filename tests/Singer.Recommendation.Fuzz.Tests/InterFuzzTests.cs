using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Singer.Recommendation.Core;
using Xunit.Abstractions;

namespace Singer.Recommendation.Fuzz.Tests;

/// <summary>
/// MMRec <c>.inter</c> files: random valid files load as exactly their interactions; random byte mutations either
/// still load or raise <see cref="DataFormatException"/>, finish, and allocate a bounded multiple of the file size
/// (ids far beyond the row count are rejected before the per-user arrays are sized).
/// </summary>
public sealed class InterFuzzTests(ITestOutputHelper output) : IDisposable
{
    public const int Cases = 10_000;

    /// <summary>
    /// Loading keeps every line as fields, per-user and per-item arrays and the id strings ("0", "1", …) of up to
    /// 16 × rows + 1,024 ids; 64× the input plus 512 KB bounds that (the largest seen is about 200 KB).
    /// </summary>
    private const int AllocationFactor = 64;
    private const int AllocationConstant = 512 << 10;

    private readonly string _folder = Directory.CreateTempSubdirectory("singer-fuzz-inter-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Random_valid_files_load_as_their_interactions()
    {
        int count = 0;
        string path = Path.Combine(_folder, "fuzz.inter");
        var property = Prop.ForAll(Generators.InterFiles.ToArbitrary(), f =>
        {
            count++;
            File.WriteAllText(path, f.Text);
            var data = MmrecDatasetLoader.Load(_folder);
            var expected = new[] { DataSplit.Train, DataSplit.Validation, DataSplit.Test }
                .Select(s => f.Rows.Where(r => r.Label == (int)s).Select(r => (r.User, r.Item)).Order().ToArray());
            var loaded = new[] { data.Train, data.Validation, data.Test }.Select(Pairs);
            return data.UserCount == f.Rows.Max(r => r.User) + 1
                && data.ItemCount == f.Rows.Max(r => r.Item) + 1
                && expected.Zip(loaded).All(p => p.First.SequenceEqual(p.Second));
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true), property);

        output.WriteLine($".inter round trip: {count:N0} random files");
        count.Should().BeGreaterThanOrEqualTo(Cases);
    }

    [Fact]
    public void Byte_mutations_raise_only_DataFormatException_and_allocate_little()
    {
        string path = Path.Combine(_folder, "fuzz.inter");
        var valid = Encoding.UTF8.GetBytes(InterFile.Create(
            Enumerable.Range(0, 40).Select(i => (i % 13, (i * 7) % 17, i % 3)).ToArray(),
            ["userID", "itemID", "rating", "timestamp", "x_label"],
            extraColumn: false,
            crlf: false,
            blankEvery: 0).Text);
        var tally = new Harness.Tally();
        var property = Prop.ForAll(Generators.Mutations.ToArbitrary(), mutations =>
        {
            byte[] bytes = valid.ToArray();
            foreach (var m in mutations)
            {
                bytes = m.Apply(bytes);
            }

            File.WriteAllBytes(path, bytes);
            string description = $"mutations {string.Join(", ", mutations)}";
            var outcome = Harness.Run(() => MmrecDatasetLoader.Load(_folder), description);
            tally.Add(outcome, bytes.Length);
            Harness.Expect<DataFormatException>(outcome, bytes.Length, AllocationFactor, AllocationConstant, description, exactType: true);

            return true;
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true), property);

        output.WriteLine($".inter mutations: {tally}");
        tally.Cases.Should().BeGreaterThanOrEqualTo(Cases);
        tally.Errors.Should().BeGreaterThan(tally.Cases / 10, "many mutations break the file");
    }

    private static (int, int)[] Pairs(UserItemMatrix m) =>
        Enumerable.Range(0, m.UserCount).SelectMany(u => m.ItemsOf(u).ToArray().Select(i => (u, i))).ToArray();
}
