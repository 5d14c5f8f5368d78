namespace Singer.Recommendation.Tests.BadInputs;

/// <summary>
/// One bad call of the model API: how to set it up, the exact exception type a user gets and a fragment of its
/// message. Together with the loader corpus of <c>Singer.Recommendation.Core.Tests</c> it is the catalogue listed
/// in <c>docs/errors.md</c>.
/// </summary>
/// <param name="Name">A short, unique name (the theory's case label and the key in docs/errors.md).</param>
/// <param name="Arrange">Prepares the input and returns the call that must fail.</param>
/// <param name="Exception">The exact exception type (not a base type).</param>
/// <param name="Fragment">A fragment of the message that says what is wrong.</param>
internal sealed record ApiBadInputCase(string Name, Func<BadInputContext, Action> Arrange, Type Exception, string Fragment)
{
    public override string ToString() => Name;
}

/// <summary>What a case may use: a trained model (shared, do not change it), a fresh folder and disposables it wants released.</summary>
internal sealed class BadInputContext(SingerModel model) : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    public SingerModel Model { get; } = model;

    public string Folder { get; } = Directory.CreateTempSubdirectory("singer-bad-input-").FullName;

    /// <summary>Saves the shared model to a new file in <see cref="Folder"/>.</summary>
    public string SavedModel()
    {
        string path = Path.Combine(Folder, $"{Guid.NewGuid():N}.singer");
        Model.Save(path);
        return path;
    }

    public T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    public void Dispose()
    {
        foreach (var d in _owned)
        {
            d.Dispose();
        }

        Directory.Delete(Folder, recursive: true);
    }
}
