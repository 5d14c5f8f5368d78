using System.Diagnostics;

namespace Singer.Recommendation;

/// <summary>
/// Wall-clock time of each part of the training steps, summed over the steps of the epochs trained while it is set
/// (<c>SingerModel.Profile</c>; for the <c>growth</c> benchmark's per-step profile). Internal: a measurement hook, not
/// an API. The parts are timed with the same code path as an unprofiled epoch; only the clock reads are added.
/// </summary>
internal sealed class StepProfile
{
    /// <summary>The parts, in the order of a step (the epoch's sampling is counted once per epoch).</summary>
    public static readonly string[] Parts = ["epoch sampling", "propagation (DNS)", "DNS scoring", "batch tensors", "loss forward", "backward", "optimizer", "bookkeeping"];

    /// <summary>Seconds per part (indexed as <see cref="Parts"/>).</summary>
    public double[] Seconds { get; } = new double[Parts.Length];

    /// <summary>Training steps timed.</summary>
    public int Steps { get; set; }

    /// <summary>Stop the training (as if cancelled) after this many timed steps (<see cref="Steps"/>); default no limit.</summary>
    public int StopAfter { get; init; } = int.MaxValue;

    /// <summary>Epochs timed.</summary>
    public int Epochs { get; set; }

    /// <summary>Steps run before the timing starts (their time is not counted, nor are they in <see cref="Steps"/>); default 1.</summary>
    public int Warmup { get; init; } = 1;

    /// <summary>Steps run so far, warm-up included.</summary>
    public int StepsRun { get; set; }

    /// <summary>
    /// Adds the time since the last lap to <paramref name="part"/> (after the warm-up steps; the epoch's sampling,
    /// part 0, always) and restarts the clock.
    /// </summary>
    public void Lap(Stopwatch clock, int part)
    {
        if (part == 0 || (part == Parts.Length - 1 ? StepsRun > Warmup : StepsRun >= Warmup))
        {
            Seconds[part] += clock.Elapsed.TotalSeconds;
        }

        clock.Restart();
    }
}
