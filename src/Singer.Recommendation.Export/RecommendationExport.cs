using System.Diagnostics;
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

    /// <summary>Users per batched product; default 256 (the fused kernel's best batch on the development machine).</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>
    /// Users per Parquet row group; default 10,000 (a million rows at k = 100). Memory holds one row group's four
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
/// The recommendations are those of <see cref="RecommendationEngine.RecommendBatch"/>: the exact fused top-k kernel,
/// ties to the lower item index, training items left out unless asked.
/// </summary>
/// <remarks>
/// Streaming: users are computed <see cref="ParquetExportOptions.BatchSize"/> at a time and written one row group of
/// <see cref="ParquetExportOptions.RowGroupUsers"/> users at a time, so memory is bounded by one row group, never the
/// whole table. The stream is written sequentially (it need not be seekable) and left open.
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
    /// <param name="progress">Receives a report after each batch of users and at the end, on the exporting thread.</param>
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
        long total = engine.UserCount, users = 0, rows = 0;
        int groups = 0;
        int capacity = checked(options.RowGroupUsers * options.K);
        var userIds = new List<string>(capacity);
        var ranks = new int[capacity];
        var itemIds = new List<string>(capacity);
        var scores = new float[capacity];
        int filled = 0, usersInGroup = 0;

        await using (var writer = await ParquetWriter.CreateAsync(Schema, output, new ParquetOptions { CompressionMethod = options.Compression }, append: false, cancellationToken).ConfigureAwait(false))
        {
            foreach (var user in engine.RecommendAllUsers(options.K, options.ExcludeSeen, options.BatchSize, cancellationToken))
            {
                for (int r = 0; r < user.Items.Count; r++)
                {
                    userIds.Add(user.UserId);
                    ranks[filled] = r + 1;
                    itemIds.Add(user.Items[r].ItemId);
                    scores[filled] = user.Items[r].Score;
                    filled++;
                }

                users++;
                if (users % options.BatchSize == 0 && usersInGroup + 1 < options.RowGroupUsers)
                {
                    progress?.Report(new ExportProgress(users, total, clock.Elapsed));
                }

                if (++usersInGroup == options.RowGroupUsers)
                {
                    await WriteGroupAsync(writer, userIds, ranks, itemIds, scores, filled, cancellationToken).ConfigureAwait(false);
                    rows += filled;
                    groups++;
                    filled = 0;
                    usersInGroup = 0;
                    progress?.Report(new ExportProgress(users, total, clock.Elapsed));
                }
            }

            if (filled > 0 || groups == 0)
            {
                await WriteGroupAsync(writer, userIds, ranks, itemIds, scores, filled, cancellationToken).ConfigureAwait(false);
                rows += filled;
                groups++;
            }
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        progress?.Report(new ExportProgress(users, total, clock.Elapsed));
        return new ExportSummary(users, rows, groups, clock.Elapsed);
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

    private static async Task WriteGroupAsync(ParquetWriter writer, List<string> userIds, int[] ranks, List<string> itemIds, float[] scores, int count, CancellationToken cancellationToken)
    {
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync(UserField, userIds, null).ConfigureAwait(false);
            await group.WriteAsync<int>(RankField, (ReadOnlyMemory<int>)ranks.AsMemory(0, count), null, null, cancellationToken).ConfigureAwait(false);
            await group.WriteAsync(ItemField, itemIds, null).ConfigureAwait(false);
            await group.WriteAsync<float>(ScoreField, (ReadOnlyMemory<float>)scores.AsMemory(0, count), null, null, cancellationToken).ConfigureAwait(false);
        }

        userIds.Clear();
        itemIds.Clear();
    }
}
