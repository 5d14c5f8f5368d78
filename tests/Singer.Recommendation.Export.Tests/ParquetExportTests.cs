using Parquet;
using Parquet.Schema;
using Singer.Recommendation.Core;

namespace Singer.Recommendation.Export.Tests;

/// <summary>A small model trained once for the export tests.</summary>
public sealed class ExportModel : IDisposable
{
    public ExportModel()
    {
        var data = SyntheticDataGenerator.Generate(new SyntheticDataOptions { Users = 250, Items = 180, Interactions = 4_000, Seed = 3 });
        Model = SingerModelBuilder.Singer(data).WithTraining(t => t.MaxEpochs(3).EmbeddingSize(16)).WithSeed(3).Build();
        Model.Fit();
    }

    public SingerModel Model { get; }

    public void Dispose() => Model.Dispose();
}

public sealed class ParquetExportTests(ExportModel fixture) : IClassFixture<ExportModel>
{
    private static async Task<List<(string User, int Rank, string Item, float Score)>> ReadBack(Stream stream)
    {
        stream.Position = 0;
        var rows = new List<(string, int, string, float)>();
        await using var reader = await ParquetReader.CreateAsync(stream, leaveStreamOpen: true);
        reader.Schema.DataFields.Select(f => f.Name).Should().Equal("user_id", "rank", "item_id", "score");
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            int n = (int)group.RowCount;
            var users = new string?[n];
            var ranks = new int[n];
            var items = new string?[n];
            var scores = new float[n];
            await group.ReadAsync((DataField)reader.Schema.DataFields[0], users.AsMemory(), null);
            await group.ReadAsync<int>(reader.Schema.DataFields[1], ranks.AsMemory(), null);
            await group.ReadAsync((DataField)reader.Schema.DataFields[2], items.AsMemory(), null);
            await group.ReadAsync<float>(reader.Schema.DataFields[3], scores.AsMemory(), null);
            for (int i = 0; i < n; i++)
            {
                rows.Add((users[i]!, ranks[i], items[i]!, scores[i]));
            }
        }

        return rows;
    }

    [Theory]
    [InlineData(7, 64, 1_000, true)]
    [InlineData(20, 32, 37, false)]
    public async Task The_file_read_back_equals_RecommendBatch_for_every_user(int k, int batch, int rowGroupUsers, bool excludeSeen)
    {
        using var engine = RecommendationEngine.Create(fixture.Model);
        using var stream = new MemoryStream();
        var reports = new List<ExportProgress>();
        var summary = await RecommendationExport.WriteParquetAsync(engine, stream,
            new ParquetExportOptions { K = k, BatchSize = batch, RowGroupUsers = rowGroupUsers, ExcludeSeen = excludeSeen },
            new SynchronousProgress(reports.Add));
        var rows = await ReadBack(stream);

        var users = fixture.Model.Dataset.Users.Ids;
        var expected = engine.RecommendBatch(users, k, excludeSeen);
        var flat = users.SelectMany((u, n) => expected[n].Select((r, rank) => (u, rank + 1, r.ItemId, r.Score))).ToList();
        rows.Should().Equal(flat);
        summary.Users.Should().Be(users.Count);
        summary.Rows.Should().Be(flat.Count);
        summary.RowGroups.Should().Be((users.Count + rowGroupUsers - 1) / rowGroupUsers);
        reports.Should().NotBeEmpty();
        reports[^1].UsersDone.Should().Be(users.Count);
        reports.Select(r => r.UsersDone).Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task A_file_export_is_atomic_and_bad_options_are_refused()
    {
        using var engine = RecommendationEngine.Create(fixture.Model);
        string folder = Directory.CreateTempSubdirectory("singer-export-").FullName;
        try
        {
            string path = Path.Combine(folder, "recs.parquet");
            var summary = await RecommendationExport.WriteParquetAsync(engine, path, new ParquetExportOptions { K = 5 });
            await using (var file = File.OpenRead(path))
            {
                (await ReadBack(file)).Should().HaveCount((int)summary.Rows);
            }

            using var cts = new CancellationTokenSource();
            cts.Cancel();
            string cancelled = Path.Combine(folder, "cancelled.parquet");
            await FluentActions.Awaiting(() => RecommendationExport.WriteParquetAsync(engine, cancelled, null, null, cts.Token)).Should().ThrowAsync<OperationCanceledException>();
            File.Exists(cancelled).Should().BeFalse();
            Directory.GetFiles(folder).Should().HaveCount(1, "no temporary file is left behind");

            await FluentActions.Awaiting(() => RecommendationExport.WriteParquetAsync(engine, new MemoryStream(), new ParquetExportOptions { K = 0 }))
                .Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("*K must be in [1, 1000]*");
            await FluentActions.Awaiting(() => RecommendationExport.WriteParquetAsync(engine, new MemoryStream(), new ParquetExportOptions { RowGroupUsers = 0 }))
                .Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("*RowGroupUsers must be ≥ 1*");
            await FluentActions.Awaiting(() => RecommendationExport.WriteParquetAsync(engine, new MemoryStream([], writable: false)))
                .Should().ThrowAsync<ArgumentException>().WithMessage("*not writable*");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_failing_stream_fails_the_export_without_hanging()
    {
        using var engine = RecommendationEngine.Create(fixture.Model);
        using var broken = new FailingStream(after: 2_000);
        var export = RecommendationExport.WriteParquetAsync(engine, broken, new ParquetExportOptions { K = 50, RowGroupUsers = 20, BatchSize = 16 });
        var finished = await Task.WhenAny(export, Task.Delay(TimeSpan.FromSeconds(60)));
        finished.Should().BeSameAs(export, "a failed write must end the export, not leave the ranking thread waiting");
        await FluentActions.Awaiting(() => export).Should().ThrowAsync<IOException>().WithMessage("*disk full*");
    }

    /// <summary>A write-only stream that fails once more than a given number of bytes were written.</summary>
    private sealed class FailingStream(long after) : MemoryStream
    {
        public override void Write(byte[] buffer, int offset, int count) => Check(count, () => base.Write(buffer, offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Length + buffer.Length > after)
            {
                throw new IOException("disk full (test)");
            }

            base.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return ValueTask.CompletedTask;
        }

        private void Check(int count, Action write)
        {
            if (Length + count > after)
            {
                throw new IOException("disk full (test)");
            }

            write();
        }
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<ExportProgress> report) : IProgress<ExportProgress>
    {
        public void Report(ExportProgress value) => report(value);
    }
}
