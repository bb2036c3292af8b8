using System.Text;
using Dashboard.Core.Access;
using Microsoft.AspNetCore.Identity;

namespace Dashboard.Hosting;

/// <summary>
/// <c>dotnet run --project Dashboard -- hash-password</c>: reads a password from standard input (without echo on a
/// terminal, asked twice) and prints its hash for <c>Auth:Users:N:PasswordHash</c>. The password never becomes an argument,
/// so it stays out of shell history and process lists.
/// </summary>
internal static class PasswordHashCommand
{
    public const string Name = "hash-password";
    public const int MinLength = 12;

    public static bool IsRequested(string[] args) => args is [Name, ..];

    public static int Run(TextReader input, TextWriter output, TextWriter errors, bool interactive)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(errors);
        string? password;
        if (interactive)
        {
            password = ReadHidden(errors, "Password: ");
            if (ReadHidden(errors, "Again: ") != password)
            {
                errors.WriteLine("The two passwords differ; nothing was printed.");
                return 1;
            }
        }
        else
        {
            password = input.ReadLine();
        }
        if (password is null || password.Length < MinLength)
        {
            errors.WriteLine($"Give a password of at least {MinLength} characters on standard input, e.g. 'read -rs P && echo \"$P\" | dotnet run --project Dashboard -- hash-password'.");
            return 1;
        }
        output.WriteLine(Hash(password));
        return 0;
    }

    public static string Hash(string password) => new PasswordHasher<UserSettings>().HashPassword(new UserSettings(), password);

    private static string ReadHidden(TextWriter prompt, string label)
    {
        prompt.Write(label);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (text.Length > 0) text.Length--; continue; }
            if (!char.IsControl(key.KeyChar)) text.Append(key.KeyChar);
        }
        prompt.WriteLine();
        return text.ToString();
    }
}
