using System.Diagnostics;
using System.Threading.Channels;
using Parquet;
using Parquet.Schema;

namespace Singer.Recommendation.Export;

/// <summary>Options of <see cref="RecommendationExport"/>.</summary>
public sealed record ParquetExportOptions
{
    /// <summary>Items per user; default 100 (at most the engine's <see cref="RecommendationEngineOptions.MaxK"/>).</summary>
    public int K { get; init; } = 100;

    /// <summary>Leave out each user's training items; default true.</summary>
    public bool ExcludeSeen { get; init; } = true;

    /// <summary>Users per engine batch; default 256 (the exact fused kernel's best batch on the development machine).</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>
    /// Users per Parquet row group; default 10,000 (a million rows at k = 100). Memory holds two row groups' four
    /// columns — about 24 bytes per row — so this bounds the export's memory, whatever the user count.
    /// </summary>
    public int RowGroupUsers { get; init; } = 10_000;

    /// <summary>Parquet compression; default Snappy.</summary>
    public CompressionMethod Compression { get; init; } = CompressionMethod.Snappy;
}

/// <summary>Where an export stands: users written so far, of how many.</summary>
/// <param name="UsersDone">Users whose rows are computed.</param>
/// <param name="UsersTotal">All users.</param>
/// <param name="Elapsed">Time since the export started.</param>
public sealed record ExportProgress(long UsersDone, long UsersTotal, TimeSpan Elapsed);

/// <summary>What an export wrote.</summary>
/// <param name="Users">Users exported.</param>
/// <param name="Rows">Rows written (one per user and rank).</param>
/// <param name="RowGroups">Parquet row groups written.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record ExportSummary(long Users, long Rows, int RowGroups, TimeSpan Elapsed);

/// <summary>
/// Writes every user's top-k recommendations to Apache Parquet, so a data pipeline (Spark, DuckDB, pandas) can load
/// them: one row per user and rank with the columns <c>user_id</c> (string), <c>rank</c> (int32, 1 = best),
/// <c>item_id</c> (string) and <c>score</c> (float32, <c>z_u · z_i</c>), users in index order, ranks ascending.
/// The recommendations are those of <see cref="RecommendationEngine.RecommendBatch"/> (the engine's
/// <see cref="RecommendationEngineOptions.Precision"/>: certified int8 candidates by default, or the exact fused top-k
/// kernel), ties to the lower item index, training items left out unless asked.
/// </summary>
/// <remarks>
/// Streaming: users are computed <see cref="ParquetExportOptions.BatchSize"/> at a time and written one row group of
/// <see cref="ParquetExportOptions.RowGroupUsers"/> users at a time; one thread ranks the next row group while the
/// caller's flow encodes the previous one, so memory is bounded by two row groups, never the whole table. The stream
/// is written sequentially (it need not be seekable) and left open.
/// </remarks>
public static class RecommendationExport
{
    private static readonly DataField<string> UserField = new("user_id");
    private static readonly DataField<int> RankField = new("rank");
    private static readonly DataField<string> ItemField = new("item_id");
    private static readonly DataField<float> ScoreField = new("score");

    /// <summary>The schema of the file: <c>user_id</c>, <c>rank</c>, <c>item_id</c>, <c>score</c>.</summary>
    public static ParquetSchema Schema { get; } = new(UserField, RankField, ItemField, ScoreField);

    /// <summary>Writes every user's top k to <paramref name="output"/> as one Parquet file (the stream stays open).</summary>
    /// <param name="engine">The engine; its snapshot when the export starts is exported.</param>
    /// <param name="output">A writable stream.</param>
    /// <param name="options">The options; null takes the defaults (k = 100, seen items left out).</param>
    /// <param name="progress">Receives a report after each batch of users (from the ranking thread, one at a time) and at the end.</param>
    /// <param name="cancellationToken">Checked between batches; a cancelled export leaves an incomplete file.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (k outside [1, MaxK], a batch or row group below 1 user).</exception>
    /// <exception cref="ArgumentException">The stream is not writable.</exception>
    public static async Task<ExportSummary> WriteParquetAsync(
        RecommendationEngine engine,
        Stream output,
        ParquetExportOptions? options = null,
        IProgress<ExportProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(output);
        options ??= new ParquetExportOptions();
        Validate(engine, options);
        if (!output.CanWrite)
        {
            throw new ArgumentException("The output stream is not writable.", nameof(output));
        }

        var clock = Stopwatch.StartNew();
        long total = engine.UserCount, rows = 0;
        int groups = 0;
        int capacity = checked(options.RowGroupUsers * options.K);

        // Two threads, two row-group buffers: one ranks users into a buffer while the other encodes the previous
        // buffer as a Parquet row group (the top-k and the encoding take about as long as each other).
        var free = Channel.CreateBounded<RowGroupBuffer>(2);
        var full = Channel.CreateBounded<RowGroupBuffer>(2);
        free.Writer.TryWrite(new RowGroupBuffer(capacity));
        free.Writer.TryWrite(new RowGroupBuffer(capacity));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(() => Produce(engine, options, free.Reader, full.Writer, progress, clock, total, stop.Token), stop.Token);
        try
        {
            await using (var writer = await ParquetWriter.CreateAsync(Schema, output, new ParquetOptions { CompressionMethod = options.Compression }, append: false, cancellationToken).ConfigureAwait(false))
            {
                await foreach (var buffer in full.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    await WriteGroupAsync(writer, buffer, cancellationToken).ConfigureAwait(false);
                    rows += buffer.Count;
                    groups++;
                    buffer.Clear();
                    await free.Writer.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            await stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            // The producer's own failure, if any, surfaces here (the channel was completed with it).
            await ((Task)producer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        long users = await producer.ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        progress?.Report(new ExportProgress(users, total, clock.Elapsed));
        return new ExportSummary(users, rows, groups, clock.Elapsed);
    }

    /// <summary>Ranks every user into row-group buffers; returns the number of users.</summary>
    private static async Task<long> Produce(
        RecommendationEngine engine, ParquetExportOptions options, ChannelReader<RowGroupBuffer> free, ChannelWriter<RowGroupBuffer> full,
        IProgress<ExportProgress>? progress, Stopwatch clock, long total, CancellationToken cancellationToken)
    {
        long users = 0;
        try
        {
            var buffer = await free.ReadAsync(cancellationToken).ConfigureAwait(false);
            int usersInGroup = 0;
            foreach (var user in engine.RecommendAllUsers(options.K, options.ExcludeSeen, options.BatchSize, cancellationToken))
            {
                buffer.Add(user);
                users++;
                if (users % options.BatchSize == 0)
                {
                    progress?.Report(new ExportProgress(users, total, clock.Elapsed));
                }

                if (++usersInGroup == options.RowGroupUsers)
                {
                    await full.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
                    buffer = await free.ReadAsync(cancellationToken).ConfigureAwait(false);
                    usersInGroup = 0;
                }
            }

            if (usersInGroup > 0 || users == 0)
            {
                await full.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }

            full.Complete();
            return users;
        }
        catch (Exception e)
        {
            full.Complete(e);
            throw;
        }
    }

    /// <summary>
    /// Writes the export to a file: to a temporary file beside <paramref name="path"/>, renamed into place when
    /// complete, so a failed or cancelled export never leaves a half-written file at the path.
    /// </summary>
    /// <inheritdoc cref="WriteParquetAsync(RecommendationEngine, Stream, ParquetExportOptions?, IProgress{ExportProgress}?, CancellationToken)"/>
    public static async Task<ExportSummary> WriteParquetAsync(
        RecommendationEngine engine,
        string path,
        ParquetExportOptions? options = null,
        IProgress<ExportProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new ParquetExportOptions();
        Validate(engine, options);
        string full = Path.GetFullPath(path);
        string temp = $"{full}.tmp-{Guid.NewGuid():N}";
        try
        {
            ExportSummary summary;
            await using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20, useAsync: false))
            {
                summary = await WriteParquetAsync(engine, stream, options, progress, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
            return summary;
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private static void Validate(RecommendationEngine engine, ParquetExportOptions options)
    {
        if (options.K < 1 || options.K > engine.Options.MaxK)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.K, $"{nameof(ParquetExportOptions.K)} must be in [1, {engine.Options.MaxK}] (the engine's MaxK).");
        }

        if (options.BatchSize is < 1 or > 65_536)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"{nameof(ParquetExportOptions.BatchSize)} must be in [1, 65536] users.");
        }

        if (options.RowGroupUsers < 1 || (long)options.RowGroupUsers * options.K > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RowGroupUsers, $"{nameof(ParquetExportOptions.RowGroupUsers)} must be ≥ 1, and RowGroupUsers × K must fit an array.");
        }
    }

    private static async Task WriteGroupAsync(ParquetWriter writer, RowGroupBuffer buffer, CancellationToken cancellationToken)
    {
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(UserField, buffer.UserIds, null).ConfigureAwait(false);
        await group.WriteAsync<int>(RankField, (ReadOnlyMemory<int>)buffer.Ranks.AsMemory(0, buffer.Count), null, null, cancellationToken).ConfigureAwait(false);
        await group.WriteAsync(ItemField, buffer.ItemIds, null).ConfigureAwait(false);
        await group.WriteAsync<float>(ScoreField, (ReadOnlyMemory<float>)buffer.Scores.AsMemory(0, buffer.Count), null, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One row group's four columns, reused.</summary>
    private sealed class RowGroupBuffer(int capacity)
    {
        public List<string> UserIds { get; } = new(capacity);

        public int[] Ranks { get; } = new int[capacity];

        public List<string> ItemIds { get; } = new(capacity);

        public float[] Scores { get; } = new float[capacity];

        public int Count { get; private set; }

        public void Add(UserRecommendations user)
        {
            for (int r = 0; r < user.Items.Count; r++)
            {
                UserIds.Add(user.UserId);
                Ranks[Count] = r + 1;
                ItemIds.Add(user.Items[r].ItemId);
                Scores[Count] = user.Items[r].Score;
                Count++;
            }
        }

        public void Clear()
        {
            UserIds.Clear();
            ItemIds.Clear();
            Count = 0;
        }
    }
}
