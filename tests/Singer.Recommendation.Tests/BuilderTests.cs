using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using Singer.Recommendation.Losses;
using Singer.Recommendation.Perturbation;

namespace Singer.Recommendation.Tests;

public sealed class BuilderTests
{
    [Fact]
    public void Build_reports_every_problem_at_once_naming_each_option()
    {
        var builder = new SingerModelBuilder()
            .WithDataset(SmallData.Small)
            .UseSemanticGraph(k: 0, coInteractionK: 10, beta: 1.5f)
            .UseBehaviorEncoder(layers: -1)
            .UsePerturbation(epsilon: -0.1f)
            .UseAlignment(anchorWeight: -1f, standardWeight: 0.1f, temperature: 0f)
            .WithTraining(t => t.LearningRate(0).BatchSize(0).Patience(0));

        var e = FluentActions.Invoking(() => builder.Build()).Should().Throw<SingerConfigurationException>().Which;
        var options = e.Problems.Select(p => p.Option + " " + p.Message).ToArray();
        options.Should().Contain(o => o.Contains("LearningRate"));
        options.Should().Contain(o => o.Contains("BatchSize"));
        options.Should().Contain(o => o.Contains("Patience"));
        options.Should().Contain(o => o.Contains("BehaviorEncoderOptions.Layers"));
        options.Should().Contain(o => o.Contains("PerturbationOptions.Epsilon"));
        options.Should().Contain(o => o.Contains("AlignmentOptions.AnchorWeight"));
        options.Should().Contain(o => o.Contains("AlignmentOptions.Temperature"));
        options.Should().Contain(o => o.Contains("Beta") && o.Contains("[0, 1]"));
        options.Should().Contain(o => o.Contains("SemanticGraphOptions.Knn.K must be ≥ 1"));
        e.Problems.Should().HaveCountGreaterThanOrEqualTo(9);
        e.Message.Should().Contain($"{e.Problems.Count} problems");
    }

    [Fact]
    public void Build_without_a_dataset_or_with_an_unknown_modality_fails_clearly()
    {
        FluentActions.Invoking(() => new SingerModelBuilder().Build())
            .Should().Throw<SingerConfigurationException>().WithMessage("*WithDataset*");

        FluentActions.Invoking(() => new SingerModelBuilder().WithDataset(SmallData.Small).UseSemanticEncoder(modalities: ["audio"]).Build())
            .Should().Throw<SingerConfigurationException>().WithMessage("*'audio' is not a modality*image, text*");

        var noFeatures = SmallData.Small.WithModalities([]);
        FluentActions.Invoking(() => SingerModelBuilder.Singer(noFeatures).Build())
            .Should().Throw<SingerConfigurationException>().WithMessage("*no modality*LightGCN preset*");
        using var lightGcn = SingerModelBuilder.LightGcn(noFeatures).Build();
        lightGcn.Name.Should().Be("LightGCN");
    }

    [Fact]
    public void Requesting_cuda_without_a_gpu_fails_with_a_clear_message()
    {
        Skip.If(ComputeDevice.IsCudaAvailable(), "CUDA is available here; this test covers machines without it.");
        FluentActions.Invoking(() => SingerModelBuilder.LightGcn(SmallData.Small).OnDevice(ComputeDevice.Cuda).Build())
            .Should().Throw<InvalidOperationException>().WithMessage("*cuda:0*");
    }

    [Fact]
    public void Fluent_methods_set_the_documented_options()
    {
        var o = new SingerModelBuilder()
            .WithDataset(SmallData.Small)
            .UseSemanticGraph(k: 7, coInteractionK: 5, beta: 0.2f)
            .UseBehaviorEncoder(layers: 3)
            .UseSemanticEncoder(layers: 2, learnableFusion: true, modalities: ["image"])
            .UsePerturbation(epsilon: 0.3f, weight: 0.05f, mode: PerturbationMode.Inverse)
            .UseAlignment(anchorWeight: 0.2f, standardWeight: 0.3f, temperature: 0.5f)
            .WithTraining(t => t.LearningRate(0.01).BatchSize(512).MaxEpochs(7).Patience(3).EmbeddingSize(16).L2Weight(1e-3))
            .WithSeed(5)
            .ResolveOptions();

        o.Graph.Knn.K.Should().Be(7);
        o.Graph.CoInteractionK.Should().Be(5);
        o.Graph.Beta.Should().Be(0.2f);
        o.Behavior.Layers.Should().Be(3);
        o.Semantic.Should().BeEquivalentTo(new SemanticEncoderOptions { Layers = 2, LearnableFusion = true, Modalities = ["image"] });
        o.Perturbation.Should().Be(new PerturbationOptions { Epsilon = 0.3f, Weight = 0.05f, Mode = PerturbationMode.Inverse });
        o.Alignment.Should().Be(new AlignmentOptions { AnchorWeight = 0.2f, StandardWeight = 0.3f, Temperature = 0.5f });
        o.Training.Should().Be(new TrainingOptions { LearningRate = 0.01, BatchSize = 512, MaxEpochs = 7, Patience = 3, EmbeddingSize = 16, L2Weight = 1e-3 });
        o.Seed.Should().Be(5);
    }

    [Fact]
    public void Defaults_are_the_validated_configuration()
    {
        var o = new SingerModelBuilder().ResolveOptions();
        o.Graph.Knn.K.Should().Be(20);
        o.Graph.CoInteractionK.Should().Be(10);
        o.Graph.Beta.Should().Be(0.3f);
        o.Behavior.Layers.Should().Be(2);
        o.Semantic.Layers.Should().Be(2);
        o.Semantic.LearnableFusion.Should().BeFalse();
        o.Perturbation.Epsilon.Should().Be(0.2f);
        o.Perturbation.Weight.Should().Be(0.1f);
        o.Perturbation.Mode.Should().Be(PerturbationMode.Proportional);
        o.Alignment.AnchorWeight.Should().Be(0.1f);
        o.Alignment.StandardWeight.Should().Be(0f);
        o.Alignment.Temperature.Should().Be(0.1f);
        o.Alignment.ContrastiveRows.Should().Be(256);
        o.Training.LearningRate.Should().Be(1e-3);
        o.Training.BatchSize.Should().Be(2048);
        o.Training.MaxEpochs.Should().Be(1000);
        o.Training.Patience.Should().Be(20);
        o.Training.EmbeddingSize.Should().Be(64);
        o.Training.L2Weight.Should().Be(1e-3);
        o.Training.NegativeCandidates.Should().Be(8);
        SingerModelBuilder.Singer(SmallData.Small).ResolveOptions().Should().Be(o, "the Singer preset is the defaults");
    }

    [Fact]
    public void The_paper_preset_is_the_specification_and_LightGcn_keeps_its_reference_settings()
    {
        var o = SingerModelBuilder.Paper(SmallData.Small).ResolveOptions();
        o.Graph.Knn.K.Should().Be(10);
        o.Graph.CoInteractionK.Should().Be(10);
        o.Graph.Beta.Should().Be(0.3f);
        o.Behavior.Layers.Should().Be(2);
        o.Semantic.Layers.Should().Be(1);
        o.Perturbation.Epsilon.Should().Be(0.1f);
        o.Perturbation.Weight.Should().Be(0.1f);
        o.Alignment.AnchorWeight.Should().Be(0.1f);
        o.Alignment.StandardWeight.Should().Be(0.1f);
        o.Alignment.Temperature.Should().Be(0.2f);
        o.Alignment.ContrastiveRows.Should().BeNull();
        o.Training.L2Weight.Should().Be(1e-4);
        o.Training.NegativeCandidates.Should().Be(1);

        var lightGcn = SingerModelBuilder.LightGcn(SmallData.Small).ResolveOptions();
        lightGcn.Semantic.Enabled.Should().BeFalse();
        lightGcn.Behavior.Layers.Should().Be(2);
        lightGcn.Training.L2Weight.Should().Be(1e-4);
        lightGcn.Training.EmbeddingSize.Should().Be(64);
        lightGcn.Training.NegativeCandidates.Should().Be(1);
    }

    [Theory]
    [InlineData(SingerAblation.NoCoInteraction)]
    [InlineData(SingerAblation.NoPerturbation)]
    [InlineData(SingerAblation.NoAnchorAlignment)]
    [InlineData(SingerAblation.NoStandardAlignment)]
    [InlineData(SingerAblation.NoSemanticBranch)]
    public void Each_ablation_switches_off_exactly_its_part(SingerAblation ablation)
    {
        var full = SingerModelBuilder.Singer(SmallData.Small).ResolveOptions();
        var o = SingerModelBuilder.Singer(SmallData.Small, ablation).ResolveOptions();
        var expected = ablation switch
        {
            SingerAblation.NoCoInteraction => full with { Graph = full.Graph with { Beta = 0f } },
            SingerAblation.NoPerturbation => full with { Perturbation = full.Perturbation with { Weight = 0f } },
            SingerAblation.NoAnchorAlignment => full with { Alignment = full.Alignment with { AnchorWeight = 0f } },
            SingerAblation.NoStandardAlignment => full with { Alignment = full.Alignment with { StandardWeight = 0f } },
            _ => full with { Semantic = full.Semantic with { Enabled = false } },
        };
        o.Should().Be(expected);
    }

    [Fact]
    public void Build_twice_gives_independent_models_with_the_same_initial_scores()
    {
        var builder = SingerModelBuilder.Singer(SmallData.Small).WithTraining(t => t.EmbeddingSize(16)).WithSeed(3);
        using var a = builder.Build();
        using var b = builder.Build();
        a.Should().NotBeSameAs(b);
        using var users = TorchSharp.torch.tensor(new long[] { 0, 1, 2 });
        using var sa = a.ScoreUsers(users);
        using var sb = b.ScoreUsers(users);
        (sa - sb).abs().max().item<float>().Should().Be(0f);
        a.Dispose();
        using var sb2 = b.ScoreUsers(users);
        sb2.shape.Should().Equal(3, SmallData.Small.ItemCount);
    }
    [Fact]
    public void A_prebuilt_graph_trains_the_same_model_as_the_graph_built_here()
    {
        SingerModelBuilder Builder() => SingerModelBuilder.Singer(SmallData.Small)
            .WithTraining(t => t.MaxEpochs(2).BatchSize(1024).EmbeddingSize(16).LearningRate(5e-3))
            .WithSeed(11);
        using var here = Builder().Build();
        var graph = SemanticGraph.Build(SmallData.Small, here.Options.Graph);

        using var prebuilt = Builder().UsePrebuiltSemanticGraph(graph).Build();

        prebuilt.Graph.Should().BeSameAs(graph);
        prebuilt.Options.Should().Be(here.Options);
        prebuilt.Fit().Epochs.Select(e => e.Loss).Should().Equal(here.Fit().Epochs.Select(e => e.Loss));
    }

    [Fact]
    public void A_prebuilt_graph_that_does_not_fit_the_model_is_reported()
    {
        var other = SyntheticDataGenerator.Generate(new SyntheticDataOptions { Users = 50, Items = 40, Interactions = 500, Seed = 3 });
        var graph = SemanticGraph.Build(other);

        var problems = SingerModelBuilder.LightGcn(SmallData.Small).UsePrebuiltSemanticGraph(graph).Validate();

        problems.Select(p => p.Option).Should().AllBe(nameof(SingerModelBuilder.UsePrebuiltSemanticGraph));
        problems.Select(p => p.Message).Should().Contain(m => m.Contains("semantic branch is off"))
            .And.Contain(m => m.Contains($"the graph has 40 items but data set '{SmallData.Small.Name}' has {SmallData.Small.ItemCount}"));
        SingerModelBuilder.Singer(SmallData.Small).UsePrebuiltSemanticGraph(graph).UsePrebuiltSemanticGraph(null).Validate().Should().BeEmpty();
    }
}
