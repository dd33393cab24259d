/* vncview entry point: parses the command line and dispatches to a subcommand. */
int main(void)
{
    return 0;
}
