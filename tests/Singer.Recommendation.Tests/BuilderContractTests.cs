using System.Reflection;
using System.Runtime.CompilerServices;
using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using Singer.Recommendation.Losses;
using Singer.Recommendation.Perturbation;

namespace Singer.Recommendation.Tests;

/// <summary>
/// The builder's one contract: every <c>Use*</c>/<c>With*</c> edits the current options and never resets what it does
/// not name, so a preset followed by any of them keeps every other setting of the preset.
/// </summary>
public sealed class BuilderContractTests
{
    private static readonly string[] Image = ["image"];

    /// <summary>Each edit: the builder call, and what it must change in the resolved options (nothing else).</summary>
    private static readonly Dictionary<string, (Func<SingerModelBuilder, SingerModelBuilder> Call, Func<SingerModelOptions, SingerModelOptions> Expected)> Edits = new()
    {
        ["UseSemanticGraph(k)"] = (b => b.UseSemanticGraph(k: 7), o => o with { Graph = o.Graph with { Knn = o.Graph.Knn with { K = 7 } } }),
        ["UseSemanticGraph(coInteractionK)"] = (b => b.UseSemanticGraph(coInteractionK: 3), o => o with { Graph = o.Graph with { CoInteractionK = 3 } }),
        ["UseSemanticGraph(beta)"] = (b => b.UseSemanticGraph(beta: 0.55f), o => o with { Graph = o.Graph with { Beta = 0.55f } }),
        ["UseSemanticGraph(configure)"] = (b => b.UseSemanticGraph(g => g with { CoInteractionWeighting = CoInteractionWeighting.Jaccard }),
            o => o with { Graph = o.Graph with { CoInteractionWeighting = CoInteractionWeighting.Jaccard } }),
        ["UseBehaviorEncoder(layers)"] = (b => b.UseBehaviorEncoder(layers: 3), o => o with { Behavior = o.Behavior with { Layers = 3 } }),
        ["UseBehaviorEncoder(configure)"] = (b => b.UseBehaviorEncoder(e => e with { Layers = 4 }), o => o with { Behavior = o.Behavior with { Layers = 4 } }),
        ["UseSemanticEncoder(layers)"] = (b => b.UseSemanticEncoder(layers: 3), o => o with { Semantic = o.Semantic with { Layers = 3 } }),
        ["UseSemanticEncoder(learnableFusion)"] = (b => b.UseSemanticEncoder(learnableFusion: true), o => o with { Semantic = o.Semantic with { LearnableFusion = true } }),
        ["UseSemanticEncoder(modalities)"] = (b => b.UseSemanticEncoder(modalities: Image), o => o with { Semantic = o.Semantic with { Modalities = Image } }),
        ["UseSemanticEncoder(configure)"] = (b => b.UseSemanticEncoder(s => s with { Input = SemanticInput.ItemIds }),
            o => o with { Semantic = o.Semantic with { Input = SemanticInput.ItemIds } }),
        ["WithoutSemanticBranch"] = (b => b.WithoutSemanticBranch(), o => o with { Semantic = o.Semantic with { Enabled = false } }),
        ["UsePerturbation(epsilon)"] = (b => b.UsePerturbation(epsilon: 0.35f), o => o with { Perturbation = o.Perturbation with { Epsilon = 0.35f } }),
        ["UsePerturbation(weight)"] = (b => b.UsePerturbation(weight: 0.05f), o => o with { Perturbation = o.Perturbation with { Weight = 0.05f } }),
        ["UsePerturbation(mode)"] = (b => b.UsePerturbation(mode: PerturbationMode.Inverse), o => o with { Perturbation = o.Perturbation with { Mode = PerturbationMode.Inverse } }),
        ["UsePerturbation(configure)"] = (b => b.UsePerturbation(p => p with { Placement = PerturbationPlacement.Both }),
            o => o with { Perturbation = o.Perturbation with { Placement = PerturbationPlacement.Both } }),
        ["UseAlignment(anchorWeight)"] = (b => b.UseAlignment(anchorWeight: 0.25f), o => o with { Alignment = o.Alignment with { AnchorWeight = 0.25f } }),
        ["UseAlignment(standardWeight)"] = (b => b.UseAlignment(standardWeight: 0.3f), o => o with { Alignment = o.Alignment with { StandardWeight = 0.3f } }),
        ["UseAlignment(temperature)"] = (b => b.UseAlignment(temperature: 0.5f), o => o with { Alignment = o.Alignment with { Temperature = 0.5f } }),
        ["UseAlignment(stopAnchorGradient)"] = (b => b.UseAlignment(stopAnchorGradient: false), o => o with { Alignment = o.Alignment with { StopAnchorGradient = false } }),
        ["UseAlignment(configure)"] = (b => b.UseAlignment(a => a with { WarmupEpochs = 3 }), o => o with { Alignment = o.Alignment with { WarmupEpochs = 3 } }),
        ["WithTraining(configure)"] = (b => b.WithTraining(t => t.Patience(7)), o => o with { Training = o.Training with { Patience = 7 } }),
        ["WithSeed"] = (b => b.WithSeed(5), o => o with { Seed = 5 }),
        ["WithAblation(NoPerturbation)"] = (b => b.WithAblation(SingerAblation.NoPerturbation), o => o with { Perturbation = o.Perturbation with { Weight = 0f } }),
        ["WithAblation(NoCoInteraction)"] = (b => b.WithAblation(SingerAblation.NoCoInteraction), o => o with { Graph = o.Graph with { Beta = 0f } }),
    };

    private static readonly Dictionary<string, Func<SingerModelBuilder>> Presets = new()
    {
        ["new"] = () => new SingerModelBuilder().WithDataset(SmallData.Small),
        ["Singer"] = () => SingerModelBuilder.Singer(SmallData.Small),
        ["Paper"] = () => SingerModelBuilder.Paper(SmallData.Small),
        ["LightGcn"] = () => SingerModelBuilder.LightGcn(SmallData.Small),
    };

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (string preset in Presets.Keys)
        {
            foreach (string edit in Edits.Keys)
            {
                data.Add(preset, edit);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_preset_followed_by_an_edit_keeps_every_setting_the_edit_does_not_name(string preset, string edit)
    {
        var before = Presets[preset]().ResolveOptions();
        var (call, expected) = Edits[edit];

        var after = call(Presets[preset]()).ResolveOptions();

        after.Should().Be(expected(before));
    }

    [Fact]
    public void The_paper_preset_keeps_its_temperature_and_row_cap_when_the_anchor_weight_changes()
    {
        var options = SingerModelBuilder.Paper(SmallData.Small).UseAlignment(anchorWeight: 0.2f).ResolveOptions().Alignment;

        options.AnchorWeight.Should().Be(0.2f);
        options.Temperature.Should().Be(0.2f, "the Paper preset's τ");
        options.ContrastiveRows.Should().BeNull("the Paper preset uses every row");
        options.StandardWeight.Should().Be(0.1f, "the Paper preset's λ_s");
    }

    [Fact]
    public void Edits_compose_in_order()
    {
        var options = SingerModelBuilder.Paper(SmallData.Small)
            .UseSemanticGraph(k: 5)
            .UseSemanticGraph(beta: 0.1f)
            .UseAlignment(temperature: 0.3f)
            .UseAlignment(anchorWeight: 0f)
            .ResolveOptions();

        options.Graph.Knn.K.Should().Be(5);
        options.Graph.Beta.Should().Be(0.1f);
        options.Alignment.Temperature.Should().Be(0.3f);
        options.Alignment.AnchorWeight.Should().Be(0f);
    }

    [Fact]
    public void The_component_registry_is_not_on_the_fluent_surface()
    {
        typeof(SingerModelBuilder).GetMethods(BindingFlags.Public | BindingFlags.Instance).Select(m => m.Name)
            .Should().NotContain(["SetComponent", "GetComponent"], "the registry is plumbing, implemented explicitly");
        typeof(ISingerModelBuilder).IsAssignableFrom(typeof(SingerModelBuilder)).Should().BeTrue();
    }

    [Fact]
    public void Every_builder_extension_is_in_the_root_namespace()
    {
        Assembly[] library =
        [
            typeof(ISingerModelBuilder).Assembly, typeof(SemanticGraphOptions).Assembly, typeof(SemanticEncoderOptions).Assembly,
            typeof(PerturbationOptions).Assembly, typeof(AlignmentOptions).Assembly, typeof(SingerModelBuilder).Assembly,
        ];
        var extensions = library
            .SelectMany(a => a.GetExportedTypes())
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.IsDefined(typeof(ExtensionAttribute), inherit: false) && ExtendsTheBuilder(m.GetParameters()[0].ParameterType))
            .ToArray();

        extensions.Select(m => m.Name).Should().Contain(["UseSemanticGraph", "UseBehaviorEncoder", "UseSemanticEncoder", "WithoutSemanticBranch", "UsePerturbation", "UseAlignment"]);
        extensions.Should().OnlyContain(m => m.DeclaringType!.Namespace == "Singer.Recommendation",
            "`using Singer.Recommendation;` must bring every builder extension");
    }

    private static bool ExtendsTheBuilder(Type parameter) =>
        typeof(ISingerModelBuilder).IsAssignableFrom(parameter)
        || (parameter.IsGenericParameter && parameter.GetGenericParameterConstraints().Any(c => c == typeof(ISingerModelBuilder)));
}
