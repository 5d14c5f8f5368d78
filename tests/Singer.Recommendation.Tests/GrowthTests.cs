using Singer.Recommendation.Core;

namespace Singer.Recommendation.Tests;

/// <summary>
/// The training options that keep an epoch's cost in line with its work as the data grows (issue 12, build item 6):
/// <see cref="TrainingOptions.MaxStepsPerEpoch"/> and <see cref="TrainingOptions.RetainNativeMemory"/>. Their speed is
/// measured by the <c>growth</c> and <c>growth-steps</c> benchmark modes, not here. Not run in parallel with other
/// tests: the retention scope is process-wide, and the depth checks would see other tests' training.
/// </summary>
[Collection(nameof(GrowthTests))]
public sealed class GrowthTests
{
    [Theory]
    [InlineData(null, 2048, 75_000, 2048)]
    [InlineData(40, 2048, 75_000, 2048)]       // 37 steps of 2,048 already: unchanged
    [InlineData(37, 2048, 75_000, 2048)]
    [InlineData(36, 2048, 75_000, 2084)]       // ⌈75,000 / 36⌉
    [InlineData(40, 2048, 5_149_305, 128_733)] // 64 × ml100k: ⌈pairs / 40⌉
    [InlineData(1, 2048, 10, 2048)]
    [InlineData(1, 8, 1_000, 1_000)]
    [InlineData(3, 2048, 0, 2048)]
    public void The_batch_grows_only_when_the_epoch_would_exceed_the_step_limit(int? maxSteps, int batch, int pairs, int expected)
    {
        var options = new TrainingOptions { BatchSize = batch, MaxStepsPerEpoch = maxSteps };
        int effective = options.EffectiveBatchSize(pairs);
        effective.Should().Be(expected);
        if (maxSteps is { } steps && pairs > 0)
        {
            ((pairs + effective - 1) / effective).Should().BeLessThanOrEqualTo(steps);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void A_step_limit_below_one_is_a_configuration_problem(int maxSteps)
    {
        var problems = new TrainingOptions { MaxStepsPerEpoch = maxSteps }.Validate().ToList();
        problems.Should().ContainSingle(p => p.Option == "TrainingOptions.MaxStepsPerEpoch");
        new TrainingOptions { MaxStepsPerEpoch = 1 }.Validate().Should().BeEmpty();
    }

    [Fact]
    public void An_epoch_takes_at_most_the_step_limit_and_without_it_pairs_over_batch_steps()
    {
        int Steps(int? maxSteps)
        {
            using var model = SingerModelBuilder.LightGcn(SmallData.Small)
                .WithTraining(t => t.MaxEpochs(1).BatchSize(256).EmbeddingSize(16).WithoutEarlyStopping().MaxStepsPerEpoch(maxSteps))
                .WithSeed(3)
                .Build();
            var profile = new StepProfile { Warmup = 0 };
            model.Profile = profile;
            model.Fit();
            return profile.Steps;
        }

        int pairs = SmallData.Small.Train.Count;
        Steps(null).Should().Be((pairs + 255) / 256);
        Steps(5).Should().Be(5);
        Steps(1_000).Should().Be((pairs + 255) / 256, "a limit above the epoch's steps changes nothing");
    }

    [Fact]
    public void Retaining_native_memory_changes_no_value_and_the_scopes_nest()
    {
        (IReadOnlyList<LossBreakdown> Losses, EvaluationResult Test) Run(bool retain)
        {
            using var model = SingerModelBuilder.Singer(SmallData.Small)
                .WithTraining(t => t.MaxEpochs(2).BatchSize(1024).EmbeddingSize(16).RetainNativeMemory(retain))
                .WithSeed(5)
                .Build();
            var report = model.Fit();
            NativeMemoryRetention.Depth.Should().Be(0, "the scope closes when Fit returns");
            return (report.Epochs.Select(e => e.Loss).ToList(), report.Test!);
        }

        var off = Run(false);
        var on = Run(true);
        on.Losses.Should().Equal(off.Losses);
        on.Test.ByK.Should().Equal(off.Test.ByK);

        using (NativeMemoryRetention.Enter())
        {
            var inner = NativeMemoryRetention.Enter();
            NativeMemoryRetention.Depth.Should().Be(2);
            inner.Dispose();
            inner.Dispose();
            NativeMemoryRetention.Depth.Should().Be(1, "disposing a scope twice closes it once");
        }

        NativeMemoryRetention.Depth.Should().Be(0);
        if (OperatingSystem.IsLinux() && File.Exists("/lib/x86_64-linux-gnu/libc.so.6"))
        {
            NativeMemoryRetention.IsAvailable.Should().BeTrue();
        }
    }
}

/// <summary>Runs <see cref="GrowthTests"/> alone (the native-memory scope is process-wide).</summary>
[CollectionDefinition(nameof(GrowthTests), DisableParallelization = true)]
public sealed class GrowthTestsAlone
{
}
