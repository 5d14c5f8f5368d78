using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Singer.WebApi;

/// <summary>One configured API key: who it is, the key itself and what it may do.</summary>
public sealed class ApiKeyEntry
{
    /// <summary>The client's name (the rate limiter's partition, the logs' principal).</summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// The key, given through configuration (an environment variable such as <c>Singer__ApiKeys__0__Key</c>, user
    /// secrets or a secret store) — never in a file in the repository. At least 16 characters.
    /// </summary>
    public string Key { get; set; } = "";

    /// <summary>The scopes: <c>read</c> and/or <c>write</c> (changing the catalogue, recording interactions).</summary>
    public List<string> Scopes { get; set; } = [];
}

/// <summary>The <c>ApiKey</c> authentication scheme: a key in the <c>X-Api-Key</c> header (or <c>Authorization: ApiKey …</c>).</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>The header that carries the key.</summary>
    public const string HeaderName = "X-Api-Key";

    /// <inheritdoc />
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? presented = Request.Headers[HeaderName].FirstOrDefault();
        if (presented is null && Request.Headers.Authorization.FirstOrDefault() is { } authorization
            && authorization.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorization[(SchemeName.Length + 1)..].Trim();
        }

        if (string.IsNullOrEmpty(presented))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(keys.Find(presented) is { } principal
            ? AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName))
            : AuthenticateResult.Fail("The API key is not valid."));
    }

    /// <inheritdoc />
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = $"{SchemeName} header=\"{HeaderName}\"";
        return Task.CompletedTask;
    }
}

/// <summary>The configured keys, hashed once at start-up, and the principal each one authenticates.</summary>
public sealed class ApiKeyStore
{
    private readonly (byte[] Hash, Claim[] Claims)[] _keys;

    /// <summary>Hashes the keys (SHA-256) and keeps each client's claims: its name and its scopes.</summary>
    public ApiKeyStore(IReadOnlyList<ApiKeyEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        _keys = entries.Select(e =>
        {
            var claims = new List<Claim> { new(ClaimTypes.Name, e.Name) };
            claims.AddRange(e.Scopes.Select(s => new Claim("scope", s)));
            return (SHA256.HashData(Encoding.UTF8.GetBytes(e.Key)), claims.ToArray());
        }).ToArray();
    }

    /// <summary>The number of keys.</summary>
    public int Count => _keys.Length;

    /// <summary>
    /// The principal of a presented key, or null. Hashes are compared in constant time and every key is compared, so
    /// neither the length nor the content of a key, nor which one matched, leaks through timing.
    /// </summary>
    public ClaimsPrincipal? Find(string presented)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        Claim[]? found = null;
        foreach (var (keyHash, claims) in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, keyHash))
            {
                found = claims;
            }
        }

        // A new principal per request: middleware may add identities to it.
        return found is null ? null : new ClaimsPrincipal(new ClaimsIdentity(found, ApiKeyAuthenticationHandler.SchemeName));
    }
}

/// <summary>Reads and checks the configured keys (<c>Singer:ApiKeys</c>).</summary>
public static class ApiKeys
{
    /// <summary>The keys of <c>Singer:ApiKeys</c>.</summary>
    public static IReadOnlyList<ApiKeyEntry> Read(IConfiguration configuration) =>
        configuration.GetSection("Singer:ApiKeys").Get<List<ApiKeyEntry>>() ?? [];

    /// <summary>Fails start-up on a key that is too short, unnamed, repeated or has an unknown scope.</summary>
    public static void Validate(IReadOnlyList<ApiKeyEntry> keys)
    {
        var problems = new List<string>();
        for (int n = 0; n < keys.Count; n++)
        {
            var k = keys[n];
            if (string.IsNullOrWhiteSpace(k.Name))
            {
                problems.Add($"Singer:ApiKeys:{n}:Name is empty; name every client.");
            }

            if (k.Key.Length < 16)
            {
                problems.Add($"Singer:ApiKeys:{n} ('{k.Name}'): the key has {k.Key.Length} characters; use at least 16 random characters (for example `openssl rand -base64 32`).");
            }

            foreach (string s in k.Scopes.Where(s => s is not ("read" or "write")))
            {
                problems.Add($"Singer:ApiKeys:{n} ('{k.Name}'): unknown scope '{s}'; use read and/or write.");
            }
        }

        foreach (var repeated in keys.GroupBy(k => k.Key).Where(g => g.Count() > 1 && g.Key.Length > 0))
        {
            problems.Add($"The clients {string.Join(", ", repeated.Select(k => $"'{k.Name}'"))} share one key; give each client its own.");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The API key configuration is invalid:\n  " + string.Join("\n  ", problems));
        }
    }
}
