using Singer.Recommendation.Core;

namespace Singer.Recommendation;

/// <summary>Options of training (SPEC §5). Immutable; the defaults are the SPEC's.</summary>
public sealed record TrainingOptions
{
    /// <summary>Adam learning rate; default 1e-3.</summary>
    public double LearningRate { get; init; } = TrainingDefaults.LearningRate;

    /// <summary>Training triples per batch; default 2048.</summary>
    public int BatchSize { get; init; } = TrainingDefaults.BatchSize;

    /// <summary>The most epochs; default 1000.</summary>
    public int MaxEpochs { get; init; } = TrainingDefaults.MaxEpochs;

    /// <summary>Stop after this many evaluations without a strictly better validation metric; default 20.</summary>
    public int Patience { get; init; } = TrainingDefaults.Patience;

    /// <summary>Embedding size d; default 64.</summary>
    public int EmbeddingSize { get; init; } = TrainingDefaults.EmbeddingSize;

    /// <summary>λ_r, the weight of the L2 term on the batch's ego embeddings; default 1e-3 (SPEC §5 and the LightGCN preset: 1e-4).</summary>
    public double L2Weight { get; init; } = TrainingDefaults.L2Weight;

    /// <summary>Evaluate on the validation split every this many epochs; default 1.</summary>
    public int EvaluateEvery { get; init; } = 1;

    /// <summary>The metric that selects the best epoch; default Recall.</summary>
    public RankingMetric ValidationMetric { get; init; } = RankingMetric.Recall;

    /// <summary>The cut-off of <see cref="ValidationMetric"/>; default 20.</summary>
    public int ValidationK { get; init; } = 20;

    /// <summary>Users scored at once during evaluation; default 1024.</summary>
    public int EvaluationBatchSize { get; init; } = 1024;

    /// <summary>
    /// Whether every epoch reports <see cref="EpochReport.Diagnostics"/>: on its last batch, each loss term's value and
    /// the norm of its weighted gradient on the ID embeddings, and the mean behaviour–semantic cosine. Costs about one
    /// extra backward pass per term on one batch per epoch. Default true.
    /// </summary>
    public bool Diagnostics { get; init; } = true;

    /// <summary>Whether validation is used at all. With false, training runs <see cref="MaxEpochs"/> epochs and keeps the last model. Default true.</summary>
    public bool EarlyStopping { get; init; } = true;

    /// <summary>
    /// Negative candidates drawn uniformly per training pair; the one the current model scores highest is the BPR
    /// negative (dynamic negative sampling, Zhang et al., SIGIR 2013). Default 8, chosen on MovieLens-100K validation
    /// among 1, 2, 4, 8 and 16 (<c>docs/results.md</c>); 1 is the specification's uniform negative (SPEC §5, the
    /// <c>Paper</c> and <c>LightGcn</c> presets). More than 1 costs one extra no-gradient forward pass per batch.
    /// </summary>
    public int NegativeCandidates { get; init; } = TrainingDefaults.NegativeCandidates;

    /// <summary>
    /// The most training steps (batches) per epoch, or null (the default) for no limit. When the training pairs
    /// exceed <see cref="BatchSize"/> × this, an epoch's batch grows to ⌈pairs / MaxStepsPerEpoch⌉, so the number of
    /// full-graph propagations per epoch — every step propagates the whole user–item graph — stays bounded as the data
    /// grows and an epoch costs O(interactions) instead of O(interactions² / BatchSize). This changes the optimisation
    /// (fewer, larger steps at the same learning rate): tune it on validation. With the defaults MovieLens-100K
    /// (75,000 pairs, 37 steps of 2,048) is unaffected by any limit of 37 or more.
    /// </summary>
    public int? MaxStepsPerEpoch { get; init; }

    /// <summary>
    /// Whether training and evaluation keep the native memory that libtorch frees (on Linux with glibc: no fresh
    /// <c>mmap</c> per large tensor, no heap trimming while <see cref="SingerModel.Fit(IProgress{EpochReport}, CancellationToken)"/>
    /// or <see cref="SingerModel.Evaluate"/> runs; the memory is returned to the system when they end). Large tensors
    /// then reuse pages instead of faulting fresh ones in at every step, which made a step grow faster than its work
    /// once a <c>[users + items, d]</c> tensor passed glibc's 32 MB mmap threshold (docs/benchmarks.md). Process-wide
    /// while any model trains or evaluates; it changes no value. Default true; no effect on other platforms.
    /// </summary>
    public bool RetainNativeMemory { get; init; } = true;

    /// <summary>The batch size of an epoch of <paramref name="pairs"/> training pairs: <see cref="BatchSize"/>, grown to respect <see cref="MaxStepsPerEpoch"/>.</summary>
    /// <param name="pairs">The training pairs of the epoch.</param>
    public int EffectiveBatchSize(int pairs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pairs);
        if (MaxStepsPerEpoch is not { } steps || steps < 1 || (long)BatchSize * steps >= pairs)
        {
            return BatchSize;
        }

        return (int)(((long)pairs + steps - 1) / steps);
    }

    /// <summary>Every problem with these options.</summary>
    public IEnumerable<OptionProblem> Validate()
    {
        const string p = nameof(TrainingOptions);
        if (!(LearningRate > 0 && LearningRate <= 10))
        {
            yield return new OptionProblem($"{p}.{nameof(LearningRate)}", $"must be in (0, 10]; got {LearningRate}.");
        }

        if (BatchSize is < 1 or > 1 << 20)
        {
            yield return new OptionProblem($"{p}.{nameof(BatchSize)}", $"must be in [1, 1048576]; got {BatchSize}.");
        }

        if (MaxEpochs < 1)
        {
            yield return new OptionProblem($"{p}.{nameof(MaxEpochs)}", $"must be ≥ 1; got {MaxEpochs}.");
        }

        if (Patience < 1)
        {
            yield return new OptionProblem($"{p}.{nameof(Patience)}", $"must be ≥ 1; got {Patience}.");
        }

        if (EmbeddingSize is < 1 or > 4096)
        {
            yield return new OptionProblem($"{p}.{nameof(EmbeddingSize)}", $"must be in [1, 4096]; got {EmbeddingSize}.");
        }

        if (!(L2Weight >= 0 && double.IsFinite(L2Weight)))
        {
            yield return new OptionProblem($"{p}.{nameof(L2Weight)}", $"must be a finite number ≥ 0; got {L2Weight}.");
        }

        if (EvaluateEvery < 1)
        {
            yield return new OptionProblem($"{p}.{nameof(EvaluateEvery)}", $"must be ≥ 1; got {EvaluateEvery}.");
        }

        if (NegativeCandidates is < 1 or > 1024)
        {
            yield return new OptionProblem($"{p}.{nameof(NegativeCandidates)}", $"must be in [1, 1024]; got {NegativeCandidates}.");
        }

        if (MaxStepsPerEpoch is < 1)
        {
            yield return new OptionProblem($"{p}.{nameof(MaxStepsPerEpoch)}", $"must be ≥ 1 or null (no limit); got {MaxStepsPerEpoch}.");
        }

        if (ValidationK < 1)
        {
            yield return new OptionProblem($"{p}.{nameof(ValidationK)}", $"must be ≥ 1; got {ValidationK}.");
        }

        if (EvaluationBatchSize < 1)
        {
            yield return new OptionProblem($"{p}.{nameof(EvaluationBatchSize)}", $"must be ≥ 1; got {EvaluationBatchSize}.");
        }

        if (!Enum.IsDefined(ValidationMetric))
        {
            yield return new OptionProblem($"{p}.{nameof(ValidationMetric)}", $"is not a metric; got {(int)ValidationMetric}.");
        }
    }
}

/// <summary>Fluent editing of <see cref="TrainingOptions"/>: <c>t =&gt; t.LearningRate(1e-3).BatchSize(2048)</c>.</summary>
public sealed class TrainingOptionsBuilder
{
    internal TrainingOptionsBuilder(TrainingOptions options) => Options = options;

    /// <summary>The options so far.</summary>
    public TrainingOptions Options { get; private set; }

    /// <summary>Sets <see cref="TrainingOptions.LearningRate"/>.</summary>
    public TrainingOptionsBuilder LearningRate(double value) => Set(Options with { LearningRate = value });

    /// <summary>Sets <see cref="TrainingOptions.BatchSize"/>.</summary>
    public TrainingOptionsBuilder BatchSize(int value) => Set(Options with { BatchSize = value });

    /// <summary>Sets <see cref="TrainingOptions.MaxStepsPerEpoch"/> (null: no limit).</summary>
    public TrainingOptionsBuilder MaxStepsPerEpoch(int? value) => Set(Options with { MaxStepsPerEpoch = value });

    /// <summary>Sets <see cref="TrainingOptions.RetainNativeMemory"/>.</summary>
    public TrainingOptionsBuilder RetainNativeMemory(bool enabled) => Set(Options with { RetainNativeMemory = enabled });

    /// <summary>Sets <see cref="TrainingOptions.MaxEpochs"/>.</summary>
    public TrainingOptionsBuilder MaxEpochs(int value) => Set(Options with { MaxEpochs = value });

    /// <summary>Sets <see cref="TrainingOptions.Patience"/>.</summary>
    public TrainingOptionsBuilder Patience(int value) => Set(Options with { Patience = value });

    /// <summary>Sets <see cref="TrainingOptions.EmbeddingSize"/>.</summary>
    public TrainingOptionsBuilder EmbeddingSize(int value) => Set(Options with { EmbeddingSize = value });

    /// <summary>Sets <see cref="TrainingOptions.L2Weight"/> (λ_r).</summary>
    public TrainingOptionsBuilder L2Weight(double value) => Set(Options with { L2Weight = value });

    /// <summary>Sets <see cref="TrainingOptions.EvaluateEvery"/>.</summary>
    public TrainingOptionsBuilder EvaluateEvery(int value) => Set(Options with { EvaluateEvery = value });

    /// <summary>Sets the validation metric and cut-off that select the best epoch.</summary>
    public TrainingOptionsBuilder SelectBy(RankingMetric metric, int k) => Set(Options with { ValidationMetric = metric, ValidationK = k });

    /// <summary>Turns early stopping on validation off: train exactly <see cref="TrainingOptions.MaxEpochs"/> epochs.</summary>
    public TrainingOptionsBuilder WithoutEarlyStopping() => Set(Options with { EarlyStopping = false });

    /// <summary>Draws <paramref name="candidates"/> negatives per pair and trains on the hardest (<see cref="TrainingOptions.NegativeCandidates"/>).</summary>
    public TrainingOptionsBuilder NegativeCandidates(int candidates) => Set(Options with { NegativeCandidates = candidates });

    /// <summary>Switches the per-epoch diagnostics (<see cref="TrainingOptions.Diagnostics"/>) on or off.</summary>
    public TrainingOptionsBuilder Diagnostics(bool enabled) => Set(Options with { Diagnostics = enabled });

    private TrainingOptionsBuilder Set(TrainingOptions options)
    {
        Options = options;
        return this;
    }
}

/// <summary>The training defaults, in one place (SPEC §5).</summary>
internal static class TrainingDefaults
{
    public const double LearningRate = 1e-3;
    public const int BatchSize = 2048;
    public const int MaxEpochs = 1000;
    public const int Patience = 20;
    public const int EmbeddingSize = 64;
    public const double L2Weight = 1e-3;
    public const int NegativeCandidates = 8;
    public const int Seed = 42;
}
