using Singer.Recommendation.Core;
using Singer.Recommendation.Encoders;
using Singer.Recommendation.Graphs;
using static TorchSharp.torch;

namespace Singer.Recommendation.Encoders.Tests;

public sealed class EncoderTests
{
    // 3 users × 4 items: u0 {i0, i1}, u1 {i1, i2, i3}, u2 {i3}.
    private static UserItemMatrix Train() =>
        UserItemMatrix.FromPairs(3, 4, [0, 0, 1, 1, 1, 2], [0, 1, 1, 2, 3, 3]);

    private static float[,] DenseAdjacency(UserItemMatrix train)
    {
        int u = train.UserCount, n = u + train.ItemCount;
        var a = new float[n, n];
        var deg = new double[n];
        for (int x = 0; x < u; x++)
        {
            foreach (int i in train.ItemsOf(x))
            {
                deg[x]++;
                deg[u + i]++;
            }
        }

        for (int x = 0; x < u; x++)
        {
            foreach (int i in train.ItemsOf(x))
            {
                float w = (float)(1 / Math.Sqrt(deg[x] * deg[u + i]));
                a[x, u + i] = w;
                a[u + i, x] = w;
            }
        }

        return a;
    }

    [Fact]
    public void Normalized_adjacency_matches_the_hand_computed_graph()
    {
        var g = BehaviorEncoder.NormalizedAdjacency(Train());
        g.RowCount.Should().Be(7);
        g.NonZeroCount.Should().Be(12);
        // u1 has 3 items, i1 has 2 users: 1/√6.
        g[1, 3 + 1].Should().BeApproximately((float)(1 / Math.Sqrt(6)), 1e-7f);
        g[3 + 1, 1].Should().BeApproximately((float)(1 / Math.Sqrt(6)), 1e-7f);
        // u2 has 1 item, i3 has 2 users.
        g[2, 3 + 3].Should().BeApproximately((float)(1 / Math.Sqrt(2)), 1e-7f);
        g[0, 1].Should().Be(0f);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void LightGcn_propagation_equals_a_dense_reference(int layers)
    {
        using var scope = NewDisposeScope();
        var train = Train();
        using var gen = new Generator(5);
        using var encoder = new BehaviorEncoder(train, 4, layers, gen);
        var output = encoder.Forward();

        var dense = DenseAdjacency(train);
        var a = tensor(dense);
        var ego = cat(new Tensor[] { encoder.UserEmbedding.detach(), encoder.ItemEmbedding.detach() }, 0);
        var sum = ego.clone();
        var layer = ego;
        for (int l = 0; l < layers; l++)
        {
            layer = a.matmul(layer);
            sum += layer;
        }

        var expected = sum / (layers + 1);
        var actual = cat(new Tensor[] { output.Users, output.Items }, 0);
        (actual - expected).abs().max().item<float>().Should().BeLessThan(1e-6f);
    }

    [Fact]
    public void Sparse_operator_product_and_gradient_equal_dense_products_for_a_non_symmetric_matrix()
    {
        using var scope = NewDisposeScope();
        // 3 × 4 non-symmetric matrix with an empty row.
        var graph = SparseGraph.FromCsr(3, 4, [0, 2, 2, 5], [0, 3, 1, 2, 3], [1.5f, -2f, 0.5f, 3f, 1f]);
        using var op = new SparseOperator(graph);
        var x = randn(new long[] { 4, 5 }, generator: new Generator(1)).requires_grad_(true);
        var y = op.Multiply(x);
        var dense = tensor(graph.ToDense(), new long[] { 3, 4 });
        (y - dense.matmul(x)).abs().max().item<float>().Should().BeLessThan(1e-6f);

        var g = randn(new long[] { 3, 5 }, generator: new Generator(2));
        (y * g).sum().backward();
        (x.grad! - dense.t().matmul(g)).abs().max().item<float>().Should().BeLessThan(1e-6f);
    }

    [Fact]
    public void Sparse_operator_checks_its_input_shape()
    {
        var graph = SparseGraph.FromCsr(2, 2, [0, 1, 2], [1, 0], [1f, 1f]);
        using var op = new SparseOperator(graph);
        using var x = zeros(3, 4);
        FluentActions.Invoking(() => op.Multiply(x)).Should().Throw<ArgumentException>().WithMessage("*[2, d]*");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Semantic_encoder_equals_propagating_the_projected_features(int layers)
    {
        using var scope = NewDisposeScope();
        var train = Train();
        var features = new ItemModality("text", 4, 3, [1, 0, 2, 0, 1, 1, 3, 3, 0, -1, 2, 0.5f]);
        var graph = SparseGraph.FromCsr(4, 4, [0, 2, 3, 5, 6], [1, 2, 0, 1, 3, 2], [0.5f, 0.5f, 1f, 0.3f, 0.7f, 1f]);
        using var gen = new Generator(3);
        using var encoder = new SemanticEncoder([new SemanticModalityInput(features, graph)], train, 2, layers, learnableFusion: false, gen);
        var output = encoder.Forward();

        // Direct formula: X = F Wᵀ + c; H = Ŝ^L X; users = mean of their items' H.
        var parameters = encoder.parameters().ToArray();
        var w = parameters[0].detach();
        var c = parameters[1].detach();
        var x = features.ToTensor().matmul(w.t()) + c;
        var s = tensor(graph.ToDense(), new long[] { 4, 4 });
        var h = x;
        for (int l = 0; l < layers; l++)
        {
            h = s.matmul(h);
        }

        (output.Items - h).abs().max().item<float>().Should().BeLessThan(1e-5f);
        var u1 = (h[1] + h[2] + h[3]) / 3;
        (output.Users[1] - u1).abs().max().item<float>().Should().BeLessThan(1e-5f);
        // One modality: fused = that modality.
        (output.Users - output.ModalityUsers[0]).abs().max().item<float>().Should().Be(0f);

        // Row selection returns the same rows.
        var some = encoder.Forward(tensor(new long[] { 2, 0 }), tensor(new long[] { 3 }));
        (some.Users - output.Users.index_select(0, tensor(new long[] { 2, 0 }))).abs().max().item<float>().Should().BeLessThan(1e-6f);
        (some.Items - output.Items[3].unsqueeze(0)).abs().max().item<float>().Should().BeLessThan(1e-6f);
    }

    [Fact]
    public void Fusion_weights_are_equal_or_a_learned_softmax()
    {
        using var scope = NewDisposeScope();
        var train = Train();
        var a = new ItemModality("a", 4, 2, [1, 0, 0, 1, 1, 1, 2, 0]);
        var b = new ItemModality("b", 4, 1, [1, 2, 3, 4]);
        var graph = SparseGraph.FromCsr(4, 4, [0, 1, 2, 3, 4], [1, 0, 3, 2], [1f, 1f, 1f, 1f]);
        using var gen = new Generator(1);
        using var equal = new SemanticEncoder([new(a, graph), new(b, graph)], train, 3, 1, learnableFusion: false, gen);
        equal.FusionWeights().data<float>().ToArray().Should().Equal(0.5f, 0.5f);
        var o = equal.Forward();
        ((o.ModalityItems[0] + o.ModalityItems[1]) / 2 - o.Items).abs().max().item<float>().Should().BeLessThan(1e-6f);

        using var learned = new SemanticEncoder([new(a, graph), new(b, graph)], train, 3, 1, learnableFusion: true, gen);
        learned.FusionWeights().sum().item<float>().Should().BeApproximately(1f, 1e-6f);
        learned.parameters().Count().Should().Be(equal.parameters().Count() + 1);
    }

    [Fact]
    public void Users_without_training_items_have_zero_semantics()
    {
        using var scope = NewDisposeScope();
        var train = UserItemMatrix.FromPairs(2, 3, [0], [1]);
        var f = new ItemModality("f", 3, 2, [1, 2, 3, 4, 5, 6]);
        var graph = SparseGraph.FromCsr(3, 3, [0, 1, 2, 3], [1, 2, 0], [1f, 1f, 1f]);
        using var gen = new Generator(1);
        using var encoder = new SemanticEncoder([new(f, graph)], train, 2, 1, false, gen);
        encoder.Forward().Users[1].abs().sum().item<float>().Should().Be(0f);
    }

    [Fact]
    public void Same_generator_seed_gives_the_same_initial_embeddings()
    {
        using var scope = NewDisposeScope();
        using var g1 = new Generator(42);
        using var g2 = new Generator(42);
        using var e1 = new BehaviorEncoder(Train(), 8, 2, g1);
        using var e2 = new BehaviorEncoder(Train(), 8, 2, g2);
        (e1.UserEmbedding - e2.UserEmbedding).abs().max().item<float>().Should().Be(0f);
        // Xavier bound for [3, 8]: √(6 / 11).
        e1.UserEmbedding.abs().max().item<float>().Should().BeLessThanOrEqualTo((float)Math.Sqrt(6.0 / 11));
    }

    [Fact]
    public void Behaviour_layer_perturbation_is_applied_to_every_propagated_layer()
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(9);
        using var encoder = new BehaviorEncoder(Train(), 4, 2, gen);
        var clean = encoder.Forward();
        var identity = encoder.Forward(layer => layer);
        (identity.Users - clean.Users).abs().max().item<float>().Should().Be(0f);

        // Adding a constant c to every propagated layer: layer 1 = Âe + c, layer 2 = Â(Âe + c) + c; the mean of 0..2 then
        // differs from the clean one by (c + Âc + c) / 3 — a hand-checkable reference of "every layer, before the next".
        int calls = 0;
        var shifted = encoder.Forward(layer =>
        {
            calls++;
            return layer + 1f;
        });
        calls.Should().Be(2);
        var a = tensor(BehaviorEncoder.NormalizedAdjacency(Train()).ToDense(), new long[] { 7, 7 });
        var c = ones(7, 4);
        var expected = (c + a.matmul(c) + c) / 3;
        var all = cat(new[] { shifted.Users - clean.Users, shifted.Items - clean.Items }, 0);
        (all - expected).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }
}
