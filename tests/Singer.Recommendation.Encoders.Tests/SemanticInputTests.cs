using Singer.Recommendation.Core;
using Singer.Recommendation.Graphs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Singer.Recommendation.Encoders.Tests;

/// <summary>The semantic inputs and layer combinations of SPEC §8.1 against a dense reference on a 4-item graph.</summary>
public sealed class SemanticInputTests
{
    private static readonly UserItemMatrix Train = UserItemMatrix.FromPairs(3, 4, [0, 0, 1, 1, 1, 2], [0, 1, 1, 2, 3, 3]);
    private static readonly ItemModality Features = new("text", 4, 3, [1, 0, 2, 0, 1, 1, 3, 3, 0, -1, 2, 0.5f]);
    private static readonly SparseGraph Graph = SparseGraph.FromCsr(4, 4, [0, 2, 3, 5, 6], [1, 2, 0, 1, 3, 2], [0.5f, 0.5f, 1f, 0.3f, 0.7f, 1f]);

    public static TheoryData<SemanticInput, LayerCombination, int> Cases()
    {
        var data = new TheoryData<SemanticInput, LayerCombination, int>();
        foreach (var input in Enum.GetValues<SemanticInput>())
        {
            foreach (var combination in Enum.GetValues<LayerCombination>())
            {
                foreach (int layers in new[] { 0, 1, 2 })
                {
                    data.Add(input, combination, layers);
                }
            }
        }

        return data;
    }

    /// <summary>The dense reference: X from the input, H = Σ_l a_l Ŝ^l X, users = mean of their items' H.</summary>
    private static (Tensor Items, Tensor Users) Reference(SemanticInput input, LayerCombination combination, int layers, Tensor ids, Tensor? w, Tensor? c)
    {
        var f = Features.ToTensor();
        Tensor x = input switch
        {
            SemanticInput.Features => f.matmul(w!.t()) + c!,
            SemanticInput.ItemIds => ids,
            SemanticInput.Both => ids + f.matmul(w!.t()) + c!,
            _ => ids * (f.matmul(w!.t()) + c!).sigmoid(),
        };
        var s = tensor(Graph.ToDense(), new long[] { 4, 4 });
        var layer = x;
        var sum = combination == LayerCombination.Mean ? x.clone() : null;
        for (int l = 0; l < layers; l++)
        {
            layer = s.matmul(layer);
            sum = sum is null ? null : sum + layer;
        }

        var h = sum is null ? layer : sum / (layers + 1);
        var mean = tensor(SemanticEncoder.UserMeanMatrix(Train).ToDense(), new long[] { 3, 4 });
        return (h, mean.matmul(h));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_input_and_combination_equals_the_dense_reference(SemanticInput input, LayerCombination combination, int layers)
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(5);
        var ids = new Parameter(ParameterInit.XavierUniform(4, 2, gen));
        var options = new SemanticEncoderOptions { Input = input, Combination = combination, Layers = layers };
        using var encoder = new SemanticEncoder([new SemanticModalityInput(Features, Graph)], Train, 2, options, gen, ids);
        var named = encoder.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        named.ContainsKey("projection_0_weight").Should().Be(input != SemanticInput.ItemIds, "the ID-only input has no projection");
        named.ContainsKey("item_id_embedding").Should().BeFalse("the shared table belongs to the behaviour branch");
        encoder.state_dict().Keys.Should().BeEquivalentTo(named.Keys, "the borrowed table is neither a parameter nor saved state of this module");

        var (items, users) = Reference(input, combination, layers, ids.detach(), named.GetValueOrDefault("projection_0_weight")?.detach(), named.GetValueOrDefault("projection_0_bias")?.detach());
        var output = encoder.Forward();
        (output.Items - items).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (output.Users - users).abs().max().item<float>().Should().BeLessThan(1e-5f);

        var some = encoder.Forward(tensor(new long[] { 2, 0 }), tensor(new long[] { 3, 1 }));
        (some.Users - users.index_select(0, tensor(new long[] { 2, 0 }))).abs().max().item<float>().Should().BeLessThan(1e-5f);
        (some.Items - items.index_select(0, tensor(new long[] { 3, 1 }))).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Theory]
    [InlineData(SemanticInput.ItemIds)]
    [InlineData(SemanticInput.Both)]
    [InlineData(SemanticInput.GatedItemIds)]
    public void Id_inputs_pass_gradient_to_the_shared_table_and_a_separate_table_is_a_parameter(SemanticInput input)
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(6);
        var ids = new Parameter(ParameterInit.XavierUniform(4, 2, gen));
        using (var shared = new SemanticEncoder([new SemanticModalityInput(Features, Graph)], Train, 2, new SemanticEncoderOptions { Input = input, Layers = 2 }, gen, ids))
        {
            shared.Forward().Users.sum().backward();
            ids.grad.Should().NotBeNull();
            ids.grad!.abs().sum().item<float>().Should().BeGreaterThan(0f);
        }

        using var separate = new SemanticEncoder(
            [new SemanticModalityInput(Features, Graph)], Train, 2, new SemanticEncoderOptions { Input = input, Layers = 1, IdTable = SemanticIdTable.Separate }, gen);
        var table = separate.named_parameters().Single(p => p.name == "item_id_embedding").parameter;
        table.shape.Should().Equal(4, 2);
        separate.Forward().Items.sum().backward();
        table.grad!.abs().sum().item<float>().Should().BeGreaterThan(0f);
    }

    [Fact]
    public void A_shared_id_input_without_the_behaviour_table_is_refused()
    {
        using var gen = new Generator(1);
        FluentActions.Invoking(() => new SemanticEncoder([new SemanticModalityInput(Features, Graph)], Train, 2, new SemanticEncoderOptions { Input = SemanticInput.ItemIds }, gen))
            .Should().Throw<ArgumentException>().WithMessage("*needs the behaviour branch's item embeddings*");
        using var wrong = zeros(3, 2);
        FluentActions.Invoking(() => new SemanticEncoder([new SemanticModalityInput(Features, Graph)], Train, 2, new SemanticEncoderOptions { Input = SemanticInput.Both }, gen, wrong))
            .Should().Throw<ArgumentException>().WithMessage("*expected [4, 2]*");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_new_item_whose_row_copies_an_existing_items_row_gets_its_neighbours_part(SemanticInput input, LayerCombination combination, int layers)
    {
        // A new item with item 2's graph row and item 2's features has item 2's representation except for the ID part of
        // its own layer 0 (a new item has no ID embedding): H_new = H_2 − a_0 · (X_2 − X_2 without IDs).
        using var scope = NewDisposeScope();
        using var gen = new Generator(7);
        var ids = new Parameter(ParameterInit.XavierUniform(4, 2, gen));
        var options = new SemanticEncoderOptions { Input = input, Combination = combination, Layers = layers };
        using var encoder = new SemanticEncoder([new SemanticModalityInput(Features, Graph)], Train, 2, options, gen, ids);
        var row = SparseGraph.FromCsr(1, 4, [0, 2], [1, 3], [0.3f, 0.7f]);
        var own = new ItemModality("text", 1, 3, Features.Row(2).ToArray());
        var embedded = encoder.EmbedNewItems([row], [own]);

        var existing = encoder.Forward().Items[2];
        var named = encoder.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var f2 = Features.ToTensor()[2];
        Tensor? projected = named.TryGetValue("projection_0_weight", out var w) ? f2.matmul(w.detach().t()) + named["projection_0_bias"].detach() : null;
        var x2 = input switch
        {
            SemanticInput.Features => projected!,
            SemanticInput.ItemIds => ids.detach()[2],
            SemanticInput.Both => ids.detach()[2] + projected!,
            _ => ids.detach()[2] * projected!.sigmoid(),
        };
        var x2New = input is SemanticInput.Features or SemanticInput.Both ? projected! : zeros_like(x2);
        double a0 = combination == LayerCombination.Mean ? 1.0 / (layers + 1) : layers == 0 ? 1.0 : 0.0;
        var expected = existing - ((x2 - x2New) * a0);
        (embedded[0] - expected).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }
}
