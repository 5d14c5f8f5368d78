using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Singer.Recommendation.Tests;

public sealed class AdamOptimizerTests
{
    [Fact]
    public void Matches_TorchSharps_Adam_step_for_step_and_restores_exactly()
    {
        using var scope = NewDisposeScope();
        var target = randn(new long[] { 6, 3 }, generator: new Generator(1));
        var start = randn(new long[] { 6, 3 }, generator: new Generator(2));
        var mine = new Parameter(start.clone());
        var theirs = new Parameter(start.clone());
        using var adam = new AdamOptimizer([mine], 0.05);
        using var reference = optim.Adam([theirs], lr: 0.05);
        for (int step = 0; step < 20; step++)
        {
            adam.ZeroGrad();
            ((mine - target).square().sum() + mine.abs().sum()).backward();
            adam.Step();
            reference.zero_grad();
            ((theirs - target).square().sum() + theirs.abs().sum()).backward();
            reference.step();
        }

        (mine - theirs).abs().max().item<float>().Should().BeLessThan(1e-6f);

        // Restoring the state into a fresh optimizer continues exactly like the original.
        var copy = new Parameter(mine.detach().clone());
        using var resumed = new AdamOptimizer([copy], 0.05);
        resumed.Restore(adam.StepCount, adam.State.Select(t => t.clone()).ToArray());
        adam.ZeroGrad();
        (mine - target).square().sum().backward();
        adam.Step();
        resumed.ZeroGrad();
        (copy - target).square().sum().backward();
        resumed.Step();
        (mine - copy).abs().max().item<float>().Should().Be(0f);
    }
}
