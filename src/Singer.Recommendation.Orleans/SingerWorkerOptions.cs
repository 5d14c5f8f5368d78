namespace Singer.Recommendation.Orleans;

/// <summary>
/// Silo-side settings of the Singer work items (Options pattern: configure with
/// <c>siloBuilder.AddSingerRecommendationWorkers(o =&gt; o.FeatureRoot = "/data/features")</c>).
/// </summary>
public sealed class SingerWorkerOptions
{
    /// <summary>
    /// The folder feature files live under on this silo (the shared volume's mount point), or null (default): paths are
    /// used as the client gives them. When set, a relative path is resolved against it, and an absolute path outside it
    /// is refused, so a client cannot make a silo map arbitrary files.
    /// </summary>
    public string? FeatureRoot { get; set; }

    /// <summary>
    /// Memory for feature slices read from files and kept for the next work items on this silo, in bytes. Default 1 GiB.
    /// A work item reads its row block and its column shard; every work item of a column shard needs the same slice,
    /// which is then mapped, copied and checked once. 0 turns the cache off.
    /// </summary>
    public long FeatureCacheBytes { get; set; } = 1L << 30;

    /// <summary>
    /// Threads that run work items on this silo; more work items at once wait for one. Default 1: a job sends one work
    /// item per silo at a time (<c>ClusterJobOptions.WorkItemsPerSilo</c>), and each work item uses every core of the silo
    /// through the block GEMM and the parallel selection. Every thread keeps its own pooled work arrays (a column shard's
    /// normalised copy and a block of scores, up to 512 MiB), so raise it together with <c>WorkItemsPerSilo</c> only.
    /// Must be ≥ 1.
    /// </summary>
    public int WorkItemThreads { get; set; } = 1;

    /// <summary>Slices unused this long are dropped from the cache. Default 2 minutes.</summary>
    public TimeSpan FeatureCacheIdleTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The full path of a feature file as this silo sees it.</summary>
    /// <exception cref="FeatureSourceException">The path leaves <see cref="FeatureRoot"/>.</exception>
    internal string Resolve(string path)
    {
        if (FeatureRoot is null)
        {
            return Path.GetFullPath(path);
        }

        string root = Path.GetFullPath(FeatureRoot);
        string full = Path.GetFullPath(Path.Combine(root, path));
        string prefix = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        if (!full.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new FeatureSourceException($"Feature file {path} is outside this silo's feature root ({FeatureRoot}); give a path under it.");
        }

        return full;
    }
}
