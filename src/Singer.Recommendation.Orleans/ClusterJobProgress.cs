using System.Globalization;

namespace Singer.Recommendation.Orleans;

/// <summary>A progress report of a cluster job, sent after each merged work item.</summary>
/// <param name="Job">What is being built: the modality name of a kNN graph, or <c>all-users</c> for the export.</param>
/// <param name="CompletedWorkItems">Work items merged.</param>
/// <param name="TotalWorkItems">Work items of the job.</param>
/// <param name="ReissuedWorkItems">Dispatches that were repeated because a silo failed, left or timed out.</param>
/// <param name="DuplicateResults">Results that arrived for a work item already merged, and were ignored.</param>
/// <param name="ActiveSilos">Silos the job is using now.</param>
/// <param name="Elapsed">Time since the job started.</param>
public readonly record struct ClusterJobProgress(
    string Job,
    int CompletedWorkItems,
    int TotalWorkItems,
    int ReissuedWorkItems,
    int DuplicateResults,
    int ActiveSilos,
    TimeSpan Elapsed)
{
    /// <summary>The share of the job that is done, in [0, 1].</summary>
    public double Fraction => TotalWorkItems <= 0 ? 1.0 : (double)CompletedWorkItems / TotalWorkItems;

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"'{Job}': {CompletedWorkItems}/{TotalWorkItems} work items ({Fraction:P0}) on {ActiveSilos} silos in {Elapsed.TotalSeconds:F1} s, {ReissuedWorkItems} re-issued, {DuplicateResults} duplicates ignored");
}

/// <summary>
/// A cluster job could not finish: a work item failed on every attempt, no silo was left, or the cluster could not be
/// reached. The message says which work item and why; <see cref="Exception.InnerException"/> is the last error.
/// </summary>
public sealed class ClusterJobException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClusterJobException()
        : base("The cluster job failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ClusterJobException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the last error.</summary>
    public ClusterJobException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
