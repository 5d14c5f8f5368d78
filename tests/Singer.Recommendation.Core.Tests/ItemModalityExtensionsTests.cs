namespace Singer.Recommendation.Core.Tests;

public sealed class ItemModalityExtensionsTests
{
    [Fact]
    public void ToTensor_copies_the_matrix_row_major_and_leaves_the_modality_unchanged()
    {
        var m = new ItemModality("text", 3, 2, [1, 2, 3, 4, 5, 6]);

        using var t = m.ToTensor();
        t.shape.Should().Equal(3, 2);
        t.data<float>().ToArray().Should().Equal(1f, 2f, 3f, 4f, 5f, 6f);

        t[0, 0] = TorchSharp.torch.tensor(100f);
        m.Row(0).ToArray().Should().Equal(1f, 2f);
    }

    [Fact]
    public void ToTensor_rejects_a_missing_modality()
    {
        FluentActions.Invoking(() => ItemModalityExtensions.ToTensor(null!)).Should().Throw<ArgumentNullException>();
    }
}
