using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Singer.Recommendation.Core;
using Xunit.Abstractions;

namespace Singer.Recommendation.Fuzz.Tests;

/// <summary>
/// <c>.npy</c> feature files: random valid matrices round-trip exactly; random byte mutations of valid files either
/// still load or raise <see cref="NpyFormatException"/>, finish, and allocate a bounded multiple of the file size
/// (the reader checks the header's shape against the file length before allocating).
/// </summary>
public sealed class NpyFuzzTests(ITestOutputHelper output)
{
    public const int Cases = 10_000;

    /// <summary>A valid file's values are one float per 4 bytes of input, so reading costs about the input size; 8× plus 64 KB is the bound.</summary>
    private const int AllocationFactor = 8;
    private const int AllocationConstant = 64 << 10;

    [Fact]
    public void Random_valid_matrices_round_trip()
    {
        int count = 0;
        var property = Prop.ForAll(Generators.Matrix.ToArbitrary(), m =>
        {
            count++;
            using var ms = new MemoryStream();
            NpyFile.Write(ms, m.Rows, m.Columns, m.Values);
            ms.Position = 0;
            var (rows, columns, values) = NpyFile.ReadMatrix(ms, "fuzz.npy");
            return rows == m.Rows && columns == m.Columns && values.AsSpan().SequenceEqual(m.Values);
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true), property);

        output.WriteLine($".npy round trip: {count:N0} random matrices");
        count.Should().BeGreaterThanOrEqualTo(Cases);
    }

    [Fact]
    public void Byte_mutations_raise_only_NpyFormatException_and_allocate_little()
    {
        var bases = new[] { Float32File(), Float64File(), Version2File() };
        var tally = new Harness.Tally();
        var input = from b in Gen.Choose(0, bases.Length - 1)
                    from mutations in Generators.Mutations
                    select (Base: b, Mutations: mutations);
        var property = Prop.ForAll(input.ToArbitrary(), c =>
        {
            byte[] bytes = bases[c.Base].ToArray();
            foreach (var m in c.Mutations)
            {
                bytes = m.Apply(bytes);
            }

            string description = $"base {c.Base}, mutations {string.Join(", ", c.Mutations)}";
            var outcome = Harness.Run(() => NpyFile.ReadMatrix(new MemoryStream(bytes, writable: false), "fuzz.npy"), description);
            tally.Add(outcome, bytes.Length);
            Harness.Expect<NpyFormatException>(outcome, bytes.Length, AllocationFactor, AllocationConstant, description);

            return true;
        });

        Check.One(Config.QuickThrowOnFailure.WithMaxTest(Cases).WithQuietOnSuccess(true), property);

        output.WriteLine($".npy mutations: {tally}");
        tally.Cases.Should().BeGreaterThanOrEqualTo(Cases);
        tally.Errors.Should().BeGreaterThan(tally.Cases / 4, "most mutations break the file");
    }

    private static byte[] Float32File()
    {
        using var ms = new MemoryStream();
        NpyFile.Write(ms, 6, 5, Enumerable.Range(0, 30).Select(i => i * 0.25f - 3).ToArray());
        return ms.ToArray();
    }

    /// <summary>A float64 file written like numpy.save, version 1.0.</summary>
    private static byte[] Float64File() => Handmade(1, "<f8", 4, 3, 8);

    /// <summary>A float32 file with a version 2.0 header (4-byte header length).</summary>
    private static byte[] Version2File() => Handmade(2, "<f4", 3, 4, 4);

    private static byte[] Handmade(int major, string descr, int rows, int columns, int width)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(total - prefix - 1) + "\n";
        var bytes = new List<byte> { 0x93 };
        bytes.AddRange("NUMPY"u8.ToArray());
        bytes.Add((byte)major);
        bytes.Add(0);
        if (major == 1)
        {
            bytes.AddRange(BitConverter.GetBytes((ushort)header.Length));
        }
        else
        {
            bytes.AddRange(BitConverter.GetBytes(header.Length));
        }

        bytes.AddRange(Encoding.ASCII.GetBytes(header));
        var data = new byte[rows * columns * width];
        for (int i = 0; i < rows * columns; i++)
        {
            if (width == 8)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(i * 8), (i * 1.5) - 4);
            }
            else
            {
                BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), (i * 1.5f) - 4);
            }
        }

        bytes.AddRange(data);
        return [.. bytes];
    }
}
