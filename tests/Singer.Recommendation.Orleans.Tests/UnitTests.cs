using System.Buffers.Binary;
using System.Text;
using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;

namespace Singer.Recommendation.Orleans.Tests;

/// <summary>The parts that need no cluster: the range reader, the merge, the grid, the assembly's dependencies.</summary>
public sealed class UnitTests
{
    [Fact]
    public void The_range_reader_returns_exactly_the_requested_rows_of_float32_and_float64_files()
    {
        var data = Features.WithTiesAndZeroRows(50, 7, seed: 1);
        string f32 = Features.WriteNpy(data);
        string f64 = Path.Combine(Path.GetTempPath(), $"singer-f64-{Guid.NewGuid():N}.npy");
        WriteFloat64(f64, 50, 7, data.Values.ToArray());
        try
        {
            foreach (string path in new[] { f32, f64 })
            {
                NpyRangeReader.ReadShape(path).Should().Be((50, 7));
                var (values, count, columns) = NpyRangeReader.ReadRows(path, 13, 9, CancellationToken.None);
                count.Should().Be(9);
                columns.Should().Be(7);
                values.Should().Equal(data.Values.Slice(13 * 7, 9 * 7).ToArray());
                NpyRangeReader.ReadRows(path, 45, null, CancellationToken.None).Count.Should().Be(5);
                FluentActions.Invoking(() => NpyRangeReader.ReadRows(path, 45, 6, CancellationToken.None))
                    .Should().Throw<FeatureSourceException>().WithMessage("*rows [45, 51) were requested but the file has 50 rows*");
            }
        }
        finally
        {
            File.Delete(f32);
            File.Delete(f64);
        }
    }

    [Fact]
    public void The_slice_cache_reads_a_slice_once_rereads_a_replaced_file_and_stays_within_its_size()
    {
        var data = Features.WithTiesAndZeroRows(50, 8, seed: 2);
        string path = Features.WriteNpy(data);
        var options = Microsoft.Extensions.Options.Options.Create(new SingerWorkerOptions { FeatureCacheBytes = 30 * 8 * 4 });
        using var cache = new FeatureSliceCache(options);
        int reads = 0;
        ItemModality Read(int start, int count)
        {
            Interlocked.Increment(ref reads);
            var (values, n, columns) = NpyRangeReader.ReadRows(path, start, count, CancellationToken.None);
            return NpyRangeReader.ToModality("text", path, start, n, columns, values);
        }

        try
        {
            var first = cache.GetOrRead(path, 0, 20, () => Read(0, 20));
            Parallel.For(0, 8, _ => cache.GetOrRead(path, 0, 20, () => Read(0, 20)).Should().BeSameAs(first));
            reads.Should().Be(1);
            cache.Bytes.Should().Be(20 * 8 * 4);

            cache.GetOrRead(path, 20, 20, () => Read(20, 20));
            cache.Bytes.Should().BeLessThanOrEqualTo(30 * 8 * 4, "the least recently used slice made room");
            cache.GetOrRead(path, 0, 20, () => Read(0, 20)).Should().NotBeSameAs(first);
            reads.Should().Be(3);

            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
            cache.GetOrRead(path, 0, 20, () => Read(0, 20));
            reads.Should().Be(4, "a file with another modification time is read again");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void The_merge_keeps_the_best_k_in_any_arrival_order_and_refuses_a_work_item_twice()
    {
        var a = new PartialTopKLists { WorkItemId = 0, RowStart = 0, Counts = [3], Columns = [7, 2, 4], Values = [0.9f, 0.5f, 0.5f] };
        var b = new PartialTopKLists { WorkItemId = 1, RowStart = 0, Counts = [3], Columns = [10, 1, 12], Values = [0.9f, 0.5f, 0.1f] };
        foreach (var order in new[] { new[] { a, b }, new[] { b, a } })
        {
            var merger = new TopKMerger(1, 4);
            foreach (var p in order)
            {
                merger.Merge(p);
            }

            // Value descending, ties to the lower column: 0.9 → 7 before 10; 0.5 → 1, then 2.
            merger.ToLists()[0].Select(e => e.Index).Should().Equal(7, 10, 1, 2);
            FluentActions.Invoking(() => merger.Merge(a)).Should().Throw<InvalidOperationException>().WithMessage("*merged twice*");
        }
    }

    [Theory]
    [InlineData(50_000, 384, 3, 15, 1)]
    [InlineData(50_000, 384, 2, 14, 1)]
    [InlineData(1_000_000, 384, 4, 246, 6)]
    [InlineData(200_000, 384, 2, 49, 2)]
    [InlineData(157, 12, 3, 3, 1)]
    public void The_default_grid_gives_every_slot_whole_rounds(int rows, int dimension, int slots, int blocks, int shards)
    {
        new ClusterJobOptions().Grid(rows, rows, dimension, slots).Should().Be((blocks, shards));
    }

    [Fact]
    public void The_package_makes_no_tensor_call_of_its_own()
    {
        // So the IL scan for implicit TorchSharp Scalars (Singer.Recommendation.Tests) has nothing to check here.
        typeof(OrleansSemanticGraph).Assembly.GetReferencedAssemblies().Select(a => a.Name).Should().NotContain("TorchSharp");
    }

    [Fact]
    public void Feature_source_names_come_from_mmrec_file_names()
    {
        FeatureSource.FromNpy("/data/ml100k/text_feat.npy").Name.Should().Be("text");
        FeatureSource.FromNpy("/data/users.npy").Name.Should().Be("users");
        FluentActions.Invoking(() => FeatureSource.FromNpy("/x.npy", "a b")).Should().Throw<ArgumentException>();
    }

    private static void WriteFloat64(string path, int rows, int columns, float[] values)
    {
        string dict = $"{{'descr': '<f8', 'fortran_order': False, 'shape': ({rows}, {columns}), }}";
        int padding = (64 - ((10 + dict.Length + 1) % 64)) % 64;
        var header = Encoding.ASCII.GetBytes(dict + new string(' ', padding) + "\n");
        using var file = File.Create(path);
        file.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        var length = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        file.Write(length);
        file.Write(header);
        var bytes = new byte[8];
        foreach (float v in values)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(bytes, v);
            file.Write(bytes);
        }
    }
}
