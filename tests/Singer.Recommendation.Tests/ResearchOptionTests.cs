using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using Singer.Recommendation.Losses;
using Singer.Recommendation.Perturbation;
using static TorchSharp.torch;

namespace Singer.Recommendation.Tests;

/// <summary>The options of SPEC §8 at the model level: contrastive rows, the random cap, warm-up, diagnostics.</summary>
public sealed class ResearchOptionTests
{
    [Fact]
    public void Positive_slots_are_the_unique_positive_items_among_the_unique_items()
    {
        // Users 0, 1; triples (0, 3, 1), (1, 1, 3), (0, 3, 2): unique items in order of appearance 3, 1, 2; the
        // positives are 3 and 1 (item 1 first appears as a negative), so their slots are 0 and 1 — not item 2's.
        var train = UserItemMatrix.FromPairs(2, 4, [0, 1], [3, 1]);
        var sampler = new TripleSampler(train);
        using var scope = NewDisposeScope();
        var batch = sampler.Batch([0, 1, 0], [3, 1, 3], [1, 3, 2], 0, 3, CPU);
        batch.UniqueItems.data<long>().ToArray().Should().Equal(3, 1, 2);
        batch.PositiveSlots.data<long>().ToArray().Should().Equal(0, 1);
        batch.UniqueItems.index_select(0, batch.PositiveSlots).data<long>().ToArray().Should().Equal(3, 1);
    }

    [Fact]
    public void A_capped_row_set_is_a_seeded_random_subset_without_repetition()
    {
        using var scope = NewDisposeScope();
        var rows = arange(100, dtype: int64) * 3;
        using var g1 = new Generator(5);
        using var g2 = new Generator(5);
        var a = SingerNetwork.CappedRows(rows, 10, g1).data<long>().ToArray();
        var b = SingerNetwork.CappedRows(rows, 10, g2).data<long>().ToArray();
        a.Should().Equal(b, "the same seed draws the same rows");
        a.Should().HaveCount(10).And.OnlyHaveUniqueItems().And.OnlyContain(v => v % 3 == 0 && v < 300);
        a.Should().NotEqual(Enumerable.Range(0, 10).Select(i => (long)i * 3), "not the first rows");
        var c = SingerNetwork.CappedRows(rows, 10, g1).data<long>().ToArray();
        c.Should().NotEqual(a, "the stream moves on");
        SingerNetwork.CappedRows(rows, 200, g1).data<long>().ToArray().Should().Equal(rows.data<long>().ToArray(), "a cap above the count keeps every row in order");
        SingerNetwork.CappedRows(rows, null, g1).data<long>().ToArray().Should().HaveCount(100);
    }

    private static SingerModelBuilder Small(int epochs) =>
        SingerModelBuilder.Singer(SmallData.Small)
            .WithTraining(t => t.MaxEpochs(epochs).BatchSize(1024).EmbeddingSize(16).LearningRate(5e-3))
            .WithSeed(13);

    [Fact]
    public void Diagnostics_report_every_term_with_finite_gradient_norms_and_cosines()
    {
        using var model = Small(2).UseAlignment(anchorWeight: 0.1f, standardWeight: 0.05f, temperature: 0.2f).Build();
        var report = model.Fit();
        foreach (var epoch in report.Epochs)
        {
            var d = epoch.Diagnostics!;
            d.Terms.Select(t => t.Term).Should().Equal("BPR", "perturbation", "anchor", "alignment", "regularization");
            d.Terms.Should().OnlyContain(t => double.IsFinite(t.Value) && double.IsFinite(t.UserGradientNorm) && double.IsFinite(t.ItemGradientNorm));
            d.Terms[0].UserGradientNorm.Should().BeGreaterThan(0, "BPR moves the user embeddings");
            d.Terms[3].UserGradientNorm.Should().BeGreaterThan(0, "the standard alignment moves the behaviour embeddings");
            // The default semantic input is projected features: the perturbation of the semantic views cannot reach E_u.
            d.Terms[1].UserGradientNorm.Should().Be(0);
            d.UserBehaviorSemanticCosine!.Value.Should().BeInRange(-1, 1);
            d.ItemBehaviorSemanticCosine!.Value.Should().BeInRange(-1, 1);
            d.ToString().Should().Contain("alignment").And.Contain("cos(b, s)");
        }

        using var quiet = Small(1).WithTraining(t => t.Diagnostics(false)).Build();
        quiet.Fit().Epochs[0].Diagnostics.Should().BeNull();
    }

    [Fact]
    public void Perturbation_on_the_behaviour_branch_and_id_inputs_reach_the_id_embeddings()
    {
        var builder = Small(1);
        builder.SetComponent(new PerturbationOptions { Placement = PerturbationPlacement.Behavior, Scale = PerturbationScale.Relative, Epsilon = 0.1f });
        builder.SetComponent(new SemanticEncoderOptions { Input = SemanticInput.ItemIds, Layers = 1 });
        using var behaviour = builder.Build();
        var d = behaviour.Fit().Epochs[0].Diagnostics!;
        d.Terms[1].UserGradientNorm.Should().BeGreaterThan(0, "SimGCL views are made of the behaviour embeddings");
        d.Terms[2].ItemGradientNorm.Should().BeGreaterThan(0, "with ID inputs the anchor term reaches E_i through the semantic side");
    }

    [Fact]
    public void Warm_up_ramps_the_contrastive_weights_linearly()
    {
        var builder = Small(3).UseAlignment(anchorWeight: 0.2f, standardWeight: 0.1f, temperature: 0.2f);
        builder.SetComponent((builder.GetComponent<AlignmentOptions>() ?? new()) with { WarmupEpochs = 4 });
        using var model = builder.Build();
        var weights = model.Fit().Epochs.Select(e => e.Diagnostics!.Terms.Select(t => t.Weight).ToArray()).ToArray();
        for (int epoch = 1; epoch <= 3; epoch++)
        {
            double ramp = epoch / 4.0;
            weights[epoch - 1][1].Should().BeApproximately(0.1 * ramp, 1e-7, "λ_p");
            weights[epoch - 1][2].Should().BeApproximately(0.2 * ramp, 1e-7, "λ_a");
            weights[epoch - 1][3].Should().BeApproximately(0.1 * ramp, 1e-7, "λ_s");
            weights[epoch - 1][0].Should().Be(1, "BPR is never ramped");
        }
    }

    [Fact]
    public void New_options_are_validated_with_their_names()
    {
        var builder = Small(1);
        builder.SetComponent(new SemanticEncoderOptions { Input = (SemanticInput)9, Combination = (LayerCombination)9, IdTable = (SemanticIdTable)9 });
        builder.SetComponent(new PerturbationOptions { Placement = (PerturbationPlacement)4, Scale = (PerturbationScale)7 });
        builder.SetComponent(new AlignmentOptions { Rows = (ContrastiveRowSelection)5, Direction = (AlignmentDirection)5, StandardStopGradient = (AlignmentStopGradient)5, WarmupEpochs = -1 });
        builder.SetComponent(new SemanticGraphOptions { CoInteractionWeighting = (CoInteractionWeighting)8 });
        var problems = builder.Validate().Select(p => p.ToString()).ToArray();
        string all = string.Join("\n", problems);
        foreach (string name in new[] { "Input", "Combination", "IdTable", "Placement", "Scale", "Rows", "Direction", "StandardStopGradient", "WarmupEpochs", "Weighting" })
        {
            all.Should().Contain(name);
        }
    }

    [Fact]
    public void Semantic_only_cold_items_have_no_behaviour_part_and_are_never_negatives()
    {
        // 20 % of the items lose their training interactions (they keep their features), as cold items do.
        var data = ColdStartSplit.Create(SmallData.Small, 0.2, seed: 3).Dataset;
        var degrees = data.Train.ItemDegrees();
        var cold = Enumerable.Range(0, data.ItemCount).Where(i => degrees[i] == 0).ToArray();
        cold.Should().NotBeEmpty();

        var sampler = new TripleSampler(data.Train, onlyInteractedNegatives: true);
        var (_, _, negatives) = sampler.Epoch(new Random(1), candidates: 3);
        negatives.Should().NotIntersectWith(cold);
        new TripleSampler(data.Train).Epoch(new Random(1)).Negatives.Should().IntersectWith(cold, "uniform negatives include cold items");

        var builder = SingerModelBuilder.Singer(data).WithTraining(t => t.MaxEpochs(1).BatchSize(1024).EmbeddingSize(8)).WithSeed(4);
        builder.SetComponent(new Encoders.SemanticEncoderOptions { ColdItems = Encoders.ColdItemPolicy.SemanticOnly });
        using var model = builder.Build();
        model.Fit();
        var network = (SingerNetwork)typeof(SingerModel).GetField("_network", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(model)!;
        using var scope = NewDisposeScope();
        var z = model.Representations();
        var s = network.Semantic!.Forward();
        var b = network.Behavior.Forward();
        foreach (int i in cold.Take(5))
        {
            (z.Items[i] - s.Items[i]).abs().max().item<float>().Should().Be(0f, "a cold item is its semantics");
        }

        int warm = Enumerable.Range(0, data.ItemCount).First(i => degrees[i] > 0);
        (z.Items[warm] - (b.Items[warm] + s.Items[warm])).abs().max().item<float>().Should().BeLessThan(1e-6f, "a warm item is b + s");
    }
}
