namespace Singer.Recommendation.Graphs;

/// <summary>The step of a graph build that a <see cref="GraphBuildProgress"/> report is about.</summary>
public enum GraphBuildStage
{
    /// <summary>The blocked kNN similarity of one modality (SPEC §1.1); rows are items (or query rows).</summary>
    Similarity,

    /// <summary>The co-interaction graph (SPEC §1.2); rows are items.</summary>
    CoInteraction,

    /// <summary>Normalisation and β fusion (SPEC §1.3–1.4); rows are modalities.</summary>
    Fusion,
}

/// <summary>A progress report of a graph build, sent after each block of rows.</summary>
/// <param name="Stage">The step in progress.</param>
/// <param name="Modality">The modality whose graph is being built, or null for the co-interaction graph.</param>
/// <param name="CompletedRows">Rows done in this step.</param>
/// <param name="TotalRows">Rows of this step.</param>
/// <param name="Elapsed">Time since this step started.</param>
public readonly record struct GraphBuildProgress(
    GraphBuildStage Stage,
    string? Modality,
    long CompletedRows,
    long TotalRows,
    TimeSpan Elapsed)
{
    /// <summary>The share of this step that is done, in [0, 1].</summary>
    public double Fraction => TotalRows <= 0 ? 1.0 : (double)CompletedRows / TotalRows;

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{Stage}{(Modality is null ? "" : $" '{Modality}'")}: {CompletedRows:N0} / {TotalRows:N0} rows ({Fraction:P0}) in {Elapsed.TotalSeconds:F1} s");
}
