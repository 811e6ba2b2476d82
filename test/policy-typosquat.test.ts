import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageFromArgv } from '../src/policy/supply-chain/package-from-argv.js';
import { isTyposquat, typosquatInArgv } from '../src/policy/supply-chain/typosquat.js';
import { ConfigError, parseConfig } from '../src/config/load.js';
import { runCli, tempDir } from './support/toolscope-cli.js';

describe('package names from launcher command lines', () => {
  it.each([
    ['npx', ['-y', '@modelcontextprotocol/server-filesystem@2025.1.0', '/srv'], '@modelcontextprotocol/server-filesystem'],
    ['npx', ['--yes', 'mcp-server-postgres', 'postgres://x'], 'mcp-server-postgres'],
    ['/usr/bin/npx', ['--package=@scope/tool@1', 'tool-bin'], '@scope/tool'],
    ['npx', ['-p', 'firecrawl-mcp', 'firecrawl'], 'firecrawl-mcp'],
    ['pnpm', ['dlx', 'tavily-mcp@latest'], 'tavily-mcp'],
    ['uvx', ['mcp-server-fetch'], 'mcp-server-fetch'],
    ['uvx', ['--python', '3.12', 'mcp-server-git==0.6.2', '--repository', '.'], 'mcp-server-git'],
    ['uvx', ['--from', 'mcp-server-time[extra]>=1', 'mcp-server-time'], 'mcp-server-time'],
  ])('%s %j runs %s', (command, args, name) => {
    expect(packageFromArgv(command, args)?.name).toBe(name);
  });

  it('is undefined for commands that are not package runners', () => {
    expect(packageFromArgv('node', ['server.js'])).toBeUndefined();
    expect(packageFromArgv('npx', ['-y'])).toBeUndefined();
    expect(packageFromArgv('pnpm', ['install'])).toBeUndefined();
  });
});

describe('typosquat check', () => {
  it('flags names one or two edits from a known MCP server package', () => {
    expect(isTyposquat('mcp-server-postgress')).toEqual({ package: 'mcp-server-postgress', similarTo: 'mcp-server-postgres', edits: 1 });
    expect(isTyposquat('@modelcontextprotocol/server-filesytem')).toMatchObject({ similarTo: '@modelcontextprotocol/server-filesystem' });
    expect(isTyposquat('@modelcontextprotocoI/server-memory')).toMatchObject({ similarTo: '@modelcontextprotocol/server-memory' });
    expect(isTyposquat('mcp_server_fetc')).toMatchObject({ similarTo: 'mcp-server-fetch', edits: 1 });
  });

  it('passes known names, including PyPI spelling variants, and unrelated names', () => {
    expect(isTyposquat('mcp-server-postgres')).toBeUndefined();
    expect(isTyposquat('@modelcontextprotocol/server-everything')).toBeUndefined();
    expect(isTyposquat('mcp_server_fetch')).toBeUndefined();
    expect(isTyposquat('my-own-weather-server')).toBeUndefined();
  });

  it('checks what a command line would run', () => {
    expect(typosquatInArgv('npx', ['-y', 'mcp-server-postgress@1.0.0', 'postgres://db'])).toMatchObject({ similarTo: 'mcp-server-postgres' });
    expect(typosquatInArgv('npx', ['-y', '@modelcontextprotocol/server-filesystem', '/srv'])).toBeUndefined();
    expect(typosquatInArgv('node', ['mcp-server-postgress.js'])).toBeUndefined();
  });
});

describe('registration refuses typosquats', () => {
  it('`toolscope add` refuses mcp-server-postgress unless --allow-similar-name, and `import` reports it', async () => {
    const dir = await tempDir();
    try {
      const config = join(dir.path, 'toolscope.json');
      const refused = await runCli(['--config', config, 'add', 'db', '--', 'npx', '-y', 'mcp-server-postgress', 'postgres://x']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/package "mcp-server-postgress" is one edit away from the known MCP server package "mcp-server-postgres"/);
      await expect(readFile(config, 'utf8')).rejects.toThrow(/ENOENT/);

      const allowed = await runCli(['--config', config, 'add', 'db', '--allow-similar-name', '--', 'npx', '-y', 'mcp-server-postgress']);
      expect(allowed.code).toBe(0);
      expect(JSON.parse(await readFile(config, 'utf8')).servers.db.args).toEqual(['-y', 'mcp-server-postgress']);

      const desktop = join(dir.path, 'claude_desktop_config.json');
      await writeFile(desktop, JSON.stringify({
        mcpServers: {
          fs: { command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/tmp'] },
          fetch: { command: 'uvx', args: ['mcp-server-fetc'] },
        },
      }));
      const imported = await runCli(['--config', config, 'import', desktop]);
      expect(imported.stdout).toContain('imported "fs"');
      expect(imported.stdout).toMatch(/refused "fetch":\n {2}- mcpServers.fetch: package "mcp-server-fetc" is one edit away from .*"mcp-server-fetch"/);
    } finally {
      await dir.remove();
    }
  });
});

describe('every package-runner form and wrapper is checked', () => {
  it.each([
    ['npm', ['exec', '-y', 'mcp-server-postgress']],
    ['npm', ['--yes', 'exec', '--', 'mcp-server-postgress', 'postgres://x']],
    ['npm', ['x', 'mcp-server-postgress']],
    ['npm', ['exe', 'mcp-server-postgress']],
    ['npm', ['exec', '--package=mcp-server-postgress', '--', 'serve']],
    ['pnpm', ['--silent', 'dlx', 'mcp-server-postgress']],
    ['pnpm', ['exec', 'mcp-server-postgress']],
    ['yarn', ['dlx', 'mcp-server-postgress@1.0.0']],
    ['bun', ['x', 'mcp-server-postgress']],
    ['bunx', ['mcp-server-postgress']],
    ['npx', ['--package=mcp-server-postgress', 'serve']],
    ['/usr/local/bin/NPX.cmd', ['-y', 'mcp-server-postgress']],
    ['env', ['npx', '-y', 'mcp-server-postgress']],
    ['env', ['-i', 'PATH=/usr/bin', 'NODE_ENV=production', 'npx', 'mcp-server-postgress']],
    ['env', ['-S', 'npx -y mcp-server-postgress']],
    ['nice', ['-n', '5', 'timeout', '60', 'npx', '-y', 'mcp-server-postgress']],
    ['uv', ['tool', 'run', 'mcp-server-fetc']],
    ['uv', ['tool', 'run', '--from', 'mcp-server-fetc==1.0', 'mcp-server-fetch']],
    ['uvx', ['--python', '3.12', 'mcp-server-fetc']],
    ['pipx', ['run', 'mcp-server-fetc']],
  ])('%s %j is refused as a typosquat', (command, args) => {
    expect(typosquatInArgv(command, args)).toMatchObject({ similarTo: expect.stringMatching(/^mcp-server-(postgres|fetch)$/) });
  });

  it('`toolscope add` refuses a typosquat behind `env` and `npm exec`', async () => {
    const dir = await tempDir();
    try {
      const config = join(dir.path, 'toolscope.json');
      for (const command of [['env', 'npx', '-y', 'mcp-server-postgress'], ['npm', 'exec', '-y', 'mcp-server-postgress']]) {
        const refused = await runCli(['--config', config, 'add', 'db', '--', ...command]);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toMatch(/package "mcp-server-postgress" is one edit away from the known MCP server package "mcp-server-postgres"/);
      }
      await expect(readFile(config, 'utf8')).rejects.toThrow(/ENOENT/);
    } finally {
      await dir.remove();
    }
  });
});

describe('shells as a server command', () => {
  const configWith = (command: string, args: string[], extra: Record<string, unknown> = {}) => ({
    servers: { tools: { command, args, ...extra } },
  });

  const refusal = (command: string, args: string[], extra: Record<string, unknown> = {}): string => {
    try {
      parseConfig(configWith(command, args, extra), 'toolscope.json');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error(`${command} ${JSON.stringify(args)} was accepted`);
  };

  /** The refusal, naming the server and the way out, of a command line that reads `reads` from a string. */
  const refusalOf = (reads: 'commands' | 'code', program: string): string =>
    reads === 'commands'
      ? `servers.tools.command: runs a shell ("${program}"), which would read its commands from text and undo "never through a shell": ` +
        'give the server\'s own program and arguments, or set "allowShell": true if you mean it'
      : `servers.tools.command: runs code written on its command line ("${program}"), a script in a string just as a shell's commands are: ` +
        'put the code in a file and run that, or set "allowShell": true if you mean it';

  it.each([
    ['sh', ['-c', 'npx -y mcp-server-postgres'], 'sh'],
    ['bash', ['-lc', 'node server.js'], 'bash'],
    ['/bin/zsh', ['server.zsh'], 'zsh'],
    ['dash', [], 'dash'],
    ['busybox', ['sh', '-c', 'node server.js'], 'busybox'],
    ['cmd.exe', ['/c', 'node server.js'], 'cmd'],
    ['powershell', ['-Command', 'node server.js'], 'powershell'],
    ['pwsh', ['-c', 'node server.js'], 'pwsh'],
    ['env', ['sh', '-c', 'node server.js'], 'sh'],
    ['env', ['-S', 'bash -c node'], 'bash'],
    ['nohup', ['bash', 'run.sh'], 'bash'],
    // env's -S glued to its string or inside a cluster of options, as env itself reads it; its string read as env's words
    ['env', ["-Ssh -c 'node server.js'"], 'sh'],
    ['env', ['-vSsh -c node'], 'sh'],
    ['env', ['--split-string=sh -c node'], 'sh'],
    ['env', ['-S', 'MODE=1 sh -c node'], 'sh'],
    // programs that hand their text to a shell
    ['script', ['-qc', 'node server.js', '/dev/null'], 'script -c'],
    ['su', ['-c', 'node server.js'], 'su'],
    ['su', ['mcp'], 'su'],
    ['runuser', ['-u', 'mcp', '-c', 'node server.js'], 'runuser -c'],
    ['flock', ['/tmp/lock', '-c', 'node server.js'], 'flock -c'],
    ['sudo', ['-s'], 'sudo -s'],
    ['sudo', ['-i', 'node', 'server.js'], 'sudo -i'],
    ['doas', ['-s'], 'doas -s'],
    ['watch', ['node server.js'], 'watch'],
    ['tmux', ['new-session', 'node server.js'], 'tmux'],
    // package runners in their shell mode, their options before the package or command they run
    ['npx', ['-c', 'id > /tmp/x; echo $HOME >> /tmp/x'], 'npx -c'],
    ['npx', ['--call=id > /tmp/x'], 'npx --call'],
    ['npx', ['-yc', 'id'], 'npx -c'],
    ['npx', ['--package', 'cowsay', '--call', 'cowsay hi; id'], 'npx --call'],
    ['npm', ['exec', '--call', 'id'], 'npm exec --call'],
    ['npm', ['exec', '-c', 'id'], 'npm exec -c'],
    ['npm', ['x', '-c', 'id'], 'npm x -c'],
    ['npm', ['exe', '-c', 'id'], 'npm exe -c'],
    ['npm', ['--call', 'id', 'exec'], 'npm exec --call'],
    ['pnpm', ['dlx', '-c', 'id'], 'pnpm dlx -c'],
    ['pnpm', ['--package', 'cowsay', '-c', 'dlx', 'echo hi | cowsay'], 'pnpm dlx -c'],
    ['pnpm', ['exec', '--shell-mode', 'id'], 'pnpm exec --shell-mode'],
    ['pnpx', ['-c', 'id'], 'pnpx -c'],
    ['yarn', ['exec', 'id; node server.js'], 'yarn exec'],
    ['bun', ['exec', 'id; node server.js'], 'bun exec'],
    ['env', ['npm_config_call=id', 'npx'], 'npx with npm_config_call'],
    // find's actions run a program: what runs there counts, in each of them
    ['find', ['/srv', '-maxdepth', '0', '-exec', 'sh', '-c', 'id', ';'], 'sh'],
    ['find', ['/srv', '-exec', 'true', '{}', '+', '-okdir', 'bash', '-c', 'id', ';'], 'bash'],
  ])('%s %j is refused when the config is loaded, naming the server and the way out', (command, args, program) => {
    expect(refusal(command, args)).toContain(refusalOf('commands', program));
  });

  it('refuses npx told to run a shell by the server\'s environment, as npm reads npm_config_call', () => {
    expect(refusal('npx', [], { env: { NPM_CONFIG_CALL: 'id' } })).toMatch(/runs a shell \("npx with npm_config_call"\)/);
  });

  it.each([
    ['python3', ['-c', 'import os; os.system("id")'], 'python3 -c'],
    ['python3.12', ['-I', '-W', 'ignore', '-c', 'print(1)'], 'python3.12 -c'],
    ['python', ['-Bc', 'print(1)'], 'python -c'],
    ['node', ['-e', "require('child_process').execSync('id')"], 'node -e'],
    ['node', ['--eval=process.exit()'], 'node --eval'],
    ['node', ['-pe', '1'], 'node -p'],
    ['node', ['-r', 'dotenv/config', '--print', '1'], 'node --print'],
    ['node', ['--import', 'data:text/javascript,import("child_process")', 'server.js'], 'node --import data:'],
    ['perl', ['-le', 'system "id"'], 'perl -e'],
    ['ruby', ['-rjson', '-e', 'system "id"'], 'ruby -e'],
    ['php', ['-r', 'system("id");'], 'php -r'],
    ['deno', ['eval', 'Deno.exit()'], 'deno eval'],
    ['bun', ['--eval', 'Bun.spawn(["id"])'], 'bun --eval'],
    ['bun', ['run', '-e', '1'], 'bun run -e'],
    ['awk', ['BEGIN { system("id") }'], 'awk'],
    ['env', ['nice', 'python3', '-c', 'print(1)'], 'python3 -c'],
    ['uv', ['run', '--with', 'mcp', 'python', '-c', 'print(1)'], 'python -c'],
    ['find', ['/srv', '-maxdepth', '0', '-exec', 'python3', '-c', 'print(1)', ';'], 'python3 -c'],
  ])('%s %j is refused as code in a string, saying to put it in a file', (command, args, program) => {
    expect(refusal(command, args)).toContain(refusalOf('code', program));
  });

  it.each([
    // sed's `e` command and `s///e` flag run text through a shell; the script is read as GNU sed reads it
    ['sed', ['e id'], {}, 'commands', 'sed e'],
    ['sed', ['-n', 's/.*/id/e', 'in.txt'], {}, 'commands', 'sed s///e'],
    ['sed', ['-n', 'p', 'in.txt', '-e', '1e id'], {}, 'commands', 'sed e'],
    ['gsed', ['-f', 'filter.sed', '--expr=$!s/x/id/ge'], {}, 'commands', 'gsed s///e'],
    // more interpreters given their code on the command line
    ['lua', ['-e', 'os.execute("id")'], {}, 'code', 'lua -e'],
    ['luajit', ['-l', 'socket', '-e', 'x'], {}, 'code', 'luajit -e'],
    ['Rscript', ['--vanilla', '-e', 'system("id")'], {}, 'code', 'rscript -e'],
    ['R', ['--no-save', '-e', 'system("id")'], {}, 'code', 'r -e'],
    ['R', ['CMD', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['julia', ['--threads', '4', '-e', 'run(`id`)'], {}, 'code', 'julia -e'],
    ['osascript', ['-e', 'do shell script "id"'], {}, 'code', 'osascript -e'],
    ['expect', ['-c', 'spawn sh'], {}, 'code', 'expect -c'],
    ['perl', ['-Mstrict;system("id")', 'server.pl'], {}, 'code', 'perl -M with code'],
    ['perl', ['-de1'], {}, 'code', 'perl -e'],
    // options read from the environment: node's (and so npx's) NODE_OPTIONS, npm's node-options, perl's PERL5OPT and PERL5DB
    ['node', ['server.js'], { NODE_OPTIONS: '--import=data:text/javascript,import("node:child_process")' }, 'code', 'NODE_OPTIONS --import data:'],
    ['npx', ['-y', 'pkg'], { NODE_OPTIONS: '--require ./a.js --experimental-loader "data:text/javascript,x"' }, 'code', 'NODE_OPTIONS --experimental-loader data:'],
    ['env', ['NODE_OPTIONS=--import=data:text/javascript,x', 'node', 'server.js'], {}, 'code', 'NODE_OPTIONS --import data:'],
    ['npx', ['--node-options', '--import=data:text/javascript,x', '-y', 'pkg'], {}, 'code', 'npx --node-options --import data:'],
    ['npx', ['-y', 'pkg'], { npm_config_node_options: '--import=data:,x' }, 'code', 'npx with npm_config_node_options --import data:'],
    ['perl', ['server.pl'], { PERL5OPT: 'Mstrict;system"id"' }, 'code', 'PERL5OPT -M with code'],
    ['perl', ['server.pl'], { PERL5OPT: '-d', PERL5DB: 'system "id"' }, 'code', 'PERL5DB'],
    ['env', ['NPM_CONFIG_CALL=id', 'npx', 'pkg'], {}, 'commands', 'npx with npm_config_call'],
    ['npm', ['exec', '--call=id'], {}, 'commands', 'npm exec --call'],
    // wrappers and options read as the programs read them: `env -` is `env -i`, GNU long options cut short, env -S quoting
    ['env', ['-', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['env', ['--s', 'sh -c id'], {}, 'commands', 'sh'],
    ['env', ['--split-string=X=1 sh -c id'], {}, 'commands', 'sh'],
    ['env', ['-S', "'sh' -c id"], {}, 'commands', 'sh'],
    ['env', ['-S', 'sh\\_-c\\_id'], {}, 'commands', 'sh'],
    ['timeout', ['--sig', 'KILL', '60', 'bash', '-c', 'id'], {}, 'commands', 'bash'],
    ['stdbuf', ['--output', 'L', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['script', ['-q', '--com', 'id', '/dev/null'], {}, 'commands', 'script --command'],
    // perl ends a glued -i/-F/-D/-C value at whitespace and reads the switches after it; a bare -V is a switch
    ['perl', ['-i.bak -e', 'system "id"'], {}, 'code', 'perl -e'],
    ['perl', ['-D -e', 'system "id"'], {}, 'code', 'perl -e'],
    ['perl', ['-C -e', 'system "id"'], {}, 'code', 'perl -e'],
    ['perl', ['-F, -e', 'system "id"'], {}, 'code', 'perl -e'],
    ['perl', ['-V -e', 'system "id"'], {}, 'code', 'perl -e'],
    ['perl', ['-ni.bak -E', 'system "id"'], {}, 'code', 'perl -E'],
    // wrappers' options that take a value, so that the shell after it is what they run
    ['unshare', ['--propagation', 'private', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['unshare', ['-U', '--setgroups', 'deny', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['unshare', ['-r', '--map-user', '1000', '--map-group=1000', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['unshare', ['--map-users', 'auto', '--map-groups', 'auto', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['unshare', ['-T', '--monotonic', '5', '--boottime', '5', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['unshare', ['-l', 'interp', 'bash', 'run.sh'], {}, 'commands', 'bash'],
    ['prlimit', ['-o', 'RESOURCE', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['prlimit', ['--output=SOFT', '-n1024', 'bash', '-c', 'id'], {}, 'commands', 'bash'],
    ['chrt', ['-T', '1000', '-P', '1000', '--deadline', '0', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['chrt', ['--sched-runtime', '1000', '-D', '1000', '-d', '0', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['doas', ['-a', 'passwd', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['sudo', ['-a', 'passwd', 'bash', '-c', 'id'], {}, 'commands', 'bash'],
    ['setpriv', ['--reuid', '1000', '--regid', '1000', '--init-groups', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['setpriv', ['--inh-caps=-all', '--bounding-set', '-all', '--pdeathsig', 'KILL', 'bash', '-c', 'id'], {}, 'commands', 'bash'],
    // a shell with an option right after what a wrapper runs: that word was an option's value the wrapper's entry lacks
    ['nice', ['-n', '5', 'unshare', '--new-option', 'value', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    // sg hands its command to /bin/sh -c
    ['sg', ['mcp', '-c', 'node server.js'], {}, 'commands', 'sg'],
    ['sg', ['mcp', 'node server.js'], {}, 'commands', 'sg'],
    // R's launcher runs its debugger's words unquoted (also as Rscript passes it on), and finds CMD anywhere before --args
    ['R', ['-d', 'sh -c id'], {}, 'commands', 'r -d'],
    ['R', ['--debugger=sh -c id'], {}, 'commands', 'r --debugger'],
    ['R', ['-d', 'valgrind', '--debugger-args=sh -c id'], {}, 'commands', 'r -d'],
    ['R', ['--debugger-args=-c id', '--no-save'], {}, 'commands', 'r --debugger-args'],
    ['Rscript', ['--debugger=sh -c id', 'server.R'], {}, 'commands', 'rscript --debugger'],
    ['R', ['--no-save', 'x', 'CMD', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['R', ['-f', 'CMD', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    // gdb runs its -ex/-iex/-eiex commands (`shell …`, `python …`), its options long even after one dash, cut short, anywhere
    // before --args; what follows --args is the program it runs
    ['gdb', ['-batch', '-ex', 'shell id'], {}, 'code', 'gdb --ex'],
    ['gdb', ['-nx', '--eval-command=python import os; os.system("id")'], {}, 'code', 'gdb --eval-command'],
    ['gdb', ['-batch', '-eval', 'shell id'], {}, 'code', 'gdb --eval-command'],
    ['gdb', ['-ex=shell id'], {}, 'code', 'gdb --ex'],
    ['gdb', ['-iex', 'shell id'], {}, 'code', 'gdb --iex'],
    ['gdb', ['-batch', '--init-eval=shell id'], {}, 'code', 'gdb --init-eval-command'],
    ['gdb', ['-eiex', 'shell id'], {}, 'code', 'gdb --eiex'],
    ['gdb', ['./server', '-batch', '-x', 'run.gdb', '-ex', '!id'], {}, 'code', 'gdb --ex'],
    ['gdb', ['-batch', '-x', 'run.gdb', '--args', 'sh', '-c', 'id'], {}, 'commands', 'sh'],
    ['gdb', ['-batch', '-x', 'run.gdb', '--args', 'python3', '-c', 'print(1)'], {}, 'code', 'python3 -c'],
    // git's settings whose value is a command it runs (in any case, also given by --config-env or clone's -c/--config),
    // and the options of its subcommands that take one
    ['git', ['-c', 'alias.x=!id', 'x'], {}, 'commands', 'git -c alias.x'],
    ['git', ['-c', 'alias.x=-c core.pager=id log', 'x'], {}, 'commands', 'git -c alias.x'],
    ['git', ['-c', 'Core.FSMonitor=id', 'status'], {}, 'commands', 'git -c Core.FSMonitor'],
    ['git', ['-C', '/srv/repo', '-c', 'user.name=x', '-c', 'core.sshCommand=id', 'fetch'], {}, 'commands', 'git -c core.sshCommand'],
    ['git', ['-c', 'core.pager=id', 'log'], {}, 'commands', 'git -c core.pager'],
    ['git', ['-c', 'pager.log=id', 'log'], {}, 'commands', 'git -c pager.log'],
    ['git', ['--config-env=core.fsmonitor=HOOK', 'status'], {}, 'commands', 'git --config-env core.fsmonitor'],
    ['git', ['--config-env', 'core.editor=EDIT', 'commit'], {}, 'commands', 'git --config-env core.editor'],
    ['git', ['-c', 'diff.external=id', 'diff'], {}, 'commands', 'git -c diff.external'],
    ['git', ['-c', 'diff.x.textconv=id', 'log', '-p'], {}, 'commands', 'git -c diff.x.textconv'],
    ['git', ['-c', 'filter.x.smudge=id', 'checkout', '.'], {}, 'commands', 'git -c filter.x.smudge'],
    ['git', ['-c', 'credential.https://h.helper=!id', 'fetch'], {}, 'commands', 'git -c credential.https://h.helper'],
    ['git', ['-c', 'remote.origin.uploadpack=id;git-upload-pack', 'fetch'], {}, 'commands', 'git -c remote.origin.uploadpack'],
    ['git', ['-c', 'submodule.sub.update=!id', 'submodule', 'update'], {}, 'commands', 'git -c submodule.sub.update'],
    ['git', ['-c', 'protocol.ext.allow=always', 'ls-remote', 'ext::sh -c id'], {}, 'commands', 'git -c protocol.ext.allow'],
    ['git', ['-c', 'trailer.x.command=id', 'interpret-trailers'], {}, 'commands', 'git -c trailer.x.command'],
    ['git', ['clone', '-c', 'core.sshCommand=id', 'ssh://h/r'], {}, 'commands', 'git clone -c core.sshCommand'],
    ['git', ['clone', '--depth', '1', '--config', 'core.fsmonitor=id', '/srv/repo'], {}, 'commands', 'git clone --config core.fsmonitor'],
    ['git', ['clone', '-u', 'id;git-upload-pack', '/srv/repo'], {}, 'commands', 'git clone -u'],
    ['git', ['-C', '/srv/repo', 'rebase', '-x', 'id', 'HEAD~1'], {}, 'commands', 'git rebase -x'],
    ['git', ['rebase', 'HEAD~1', '--exe=id'], {}, 'commands', 'git rebase --exec'],
    ['git', ['grep', '-Oid', 'x'], {}, 'commands', 'git grep -O'],
    ['git', ['grep', '--open-files-in-pager=id', 'x'], {}, 'commands', 'git grep --open-files-in-pager'],
    ['git', ['ls-remote', '--upload-pack=id;git-upload-pack', '/srv/repo'], {}, 'commands', 'git ls-remote --upload-pack'],
    ['git', ['fetch', '--upload-p=id', 'origin'], {}, 'commands', 'git fetch --upload-pack'],
    ['git', ['pull', '--upload-pack', 'id', 'origin'], {}, 'commands', 'git pull --upload-pack'],
    ['git', ['push', '--receive-pack=id', '/srv/repo', 'HEAD'], {}, 'commands', 'git push --receive-pack'],
    ['git', ['archive', '--remote=/srv/repo', '--exec=id', 'HEAD'], {}, 'commands', 'git archive --exec'],
    ['git', ['difftool', '-y', '--extcmd=id', 'HEAD~1'], {}, 'commands', 'git difftool --extcmd'],
    ['git', ['submodule', '--quiet', 'foreach', 'id'], {}, 'commands', 'git submodule foreach'],
    ['git', ['bisect', 'run', 'sh', '-c', 'id'], {}, 'commands', 'git bisect run'],
    ['git', ['filter-branch', '--tree-filter', 'id', 'HEAD'], {}, 'commands', 'git filter-branch --tree-filter'],
    // GNU make: --eval/-E text is a makefile; a command-line variable with `$` is make code (`$(shell …)`), `!=` runs a
    // shell; MAKEFLAGS holds more of its options and variables
    ['make', ['--eval=all:;id'], {}, 'code', 'make --eval'],
    ['make', ['serve', '-E', 'all:;id'], {}, 'code', 'make -E'],
    ['make', ['--ev', '$(shell id)'], {}, 'code', 'make --eval'],
    ['make', ['serve', 'X:=$(shell id)'], {}, 'code', 'make X:='],
    ['make', ['-f', 'server.mk', 'X!=id'], {}, 'code', 'make X!='],
    ['make', ['A$(shell id)=1'], {}, 'code', 'make A$(shell id)='],
    ['node', ['server.js'], { MAKEFLAGS: '-E all:;id' }, 'code', 'MAKEFLAGS -E'],
    ['node', ['server.js'], { MAKEFLAGS: 'k -- X:=$(shell\\ id)' }, 'code', 'MAKEFLAGS X:='],
    // vim, ex, nvim: -c and --cmd commands, and +cmd (not +LINE), anywhere among its words
    ['vim', ['-es', '-c', '!id', '-c', 'qa!'], {}, 'code', 'vim -c'],
    ['vim', ['-Nesc!id'], {}, 'code', 'vim -c'],
    ['vi', ['file.txt', '--cmd', '!id'], {}, 'code', 'vi --cmd'],
    ['vim', ['-es', 'file.txt', '+!id', '+qa!'], {}, 'code', 'vim +cmd'],
    ['ex', ['-s', '-c', '!id'], {}, 'code', 'ex -c'],
    ['nvim', ['--headless', '+lua os.execute("id")'], {}, 'code', 'nvim +cmd'],
    // emacs: --eval/--execute, also after one dash or cut short; emacsclient -e
    ['emacs', ['--batch', '--eval', '(shell-command "id")'], {}, 'code', 'emacs --eval'],
    ['emacs', ['-batch', '-eval', '(shell-command "id")'], {}, 'code', 'emacs --eval'],
    ['emacs', ['--batch', '--ev=(shell-command "id")'], {}, 'code', 'emacs --eval'],
    ['emacs', ['-Q', '--batch', 'file.txt', '-execute', '(shell-command "id")'], {}, 'code', 'emacs --execute'],
    ['emacsclient', ['-e', '(shell-command "id")'], {}, 'code', 'emacsclient -e'],
    // strace writes its trace to a command after `|` or `!`; systemd-run starts a shell (-S) or runs Exec… properties
    ['strace', ['-f', '-o', '|id', 'node', 'server.js'], {}, 'commands', 'strace -o |command'],
    ['strace', ['--output=!id', 'node', 'server.js'], {}, 'commands', 'strace --output |command'],
    ['systemd-run', ['--user', '-S'], {}, 'commands', 'systemd-run -S'],
    ['systemd-run', ['--user', '-p', 'ExecStartPre=/bin/sh -c id', 'node', 'server.js'], {}, 'commands', 'systemd-run -p Exec…'],
    // more wrappers, looked through to what they run, with their options' values (bwrap's take two words)
    ['nsenter', ['-t', '1', '-m', '-n', '-S', '0', 'python3', '-c', 'print(1)'], {}, 'code', 'python3 -c'],
    ['nsenter', ['--target', '1', '--mount=/proc/1/ns/mnt', 'node', '-e', '1'], {}, 'code', 'node -e'],
    ['bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', 'python3', '-c', 'print(1)'], {}, 'code', 'python3 -c'],
    ['bwrap', ['--setenv', 'A', 'B', '--chmod', '0755', '/srv', '--', 'perl', '-e', '1'], {}, 'code', 'perl -e'],
    ['xvfb-run', ['-a', '-s', '-screen 0 800x600x24', 'python3', '-c', 'print(1)'], {}, 'code', 'python3 -c'],
    ['dbus-run-session', ['--config-file', 'session.conf', 'node', '-e', '1'], {}, 'code', 'node -e'],
    ['systemd-run', ['--user', '--pipe', '-p', 'MemoryMax=1G', 'python3', '-c', 'print(1)'], {}, 'code', 'python3 -c'],
    ['runuser', ['-u', 'mcp', '--', 'bash', 'run.sh'], {}, 'commands', 'bash'],
    ['strace', ['-f', '-e', 'trace=network', 'python3', '-c', 'print(1)'], {}, 'code', 'python3 -c'],
    ['ltrace', ['-o', 'trace.log', 'node', '-e', '1'], {}, 'code', 'node -e'],
    ['valgrind', ['--tool=none', 'python3', '-c', 'print(1)'], {}, 'code', 'python3 -c'],
    ['firejail', ['--noprofile', '--private=/srv', 'python3', '-c', 'print(1)'], {}, 'code', 'python3 -c'],
    ['catchsegv', ['python3', '-c', 'print(1)'], {}, 'code', 'python3 -c'],
    ['tini', ['-s', '-p', 'SIGTERM', '--', 'python3', '-c', 'print(1)'], {}, 'code', 'python3 -c'],
    ['dumb-init', ['--rewrite', '15:9', 'python3', '-c', 'print(1)'], {}, 'code', 'python3 -c'],
    ['setarch', ['x86_64', '-R', 'python3', '-c', 'print(1)'], {}, 'code', 'python3 -c'],
  ] as const)('%s %j with env %j is refused as a script in a string', (command, args, env, reads, program) => {
    expect(refusal(command, [...args], { env })).toContain(refusalOf(reads, program));
  });

  it('accepts a shell the admin allows explicitly, and ordinary programs', () => {
    expect(parseConfig(configWith('sh', ['-c', 'node server.js'], { allowShell: true }), 'toolscope.json').servers.tools).toMatchObject({ command: 'sh' });
    expect(parseConfig(configWith('node', ['server.js']), 'toolscope.json').servers.tools).toMatchObject({ command: 'node' });
    expect(parseConfig(configWith('env', ['node', 'sh.js']), 'toolscope.json').servers.tools).toMatchObject({ command: 'env' });
    expect(parseConfig(configWith('python3', ['-c', 'print(1)'], { allowShell: true }), 'toolscope.json').servers.tools).toMatchObject({ command: 'python3' });
    for (const [command, args] of [
      ['flock', ['/tmp/lock', 'node', 'server.js']],
      ['sudo', ['-u', 'mcp', 'node', 'server.js', '-s']],
      ['runuser', ['-u', 'mcp', '--', 'node', 'server.js']],
      ['watch', ['-x', 'node', 'server.js']],
      ['nice', ['-n5', 'node', 'server.js']],
      // package runners without their shell mode: an option after the package is the package's own
      ['npx', ['-y', '@modelcontextprotocol/server-memory']],
      ['npx', ['-y', 'some-mcp-server', '-c', 'config.json']],
      ['npx', ['--registry', 'https://registry.example', 'some-mcp-server', '--call', 'x']],
      ['npm', ['exec', '--', 'some-mcp-server', '-c', 'config.json']],
      ['pnpm', ['dlx', 'tavily-mcp@latest', '-c', 'config.json']],
      ['pnpm', ['-r', 'exec', 'some-mcp-server', '--shell-mode']],
      ['yarn', ['dlx', 'some-mcp-server']],
      ['bunx', ['some-mcp-server', '-c', 'config.json']],
      ['uvx', ['mcp-server-fetch']],
      ['uv', ['--directory', '/srv/weather', 'run', 'weather.py']],
      // interpreters given a file or module: an option after it is the program's own
      ['python3', ['-u', 'server.py', '-c', 'config.toml']],
      ['python3', ['-m', 'mcp_server_git', '-c', 'x']],
      ['node', ['--import', 'file:///srv/loader.mjs', 'server.js', '-e', 'production']],
      ['perl', ['-MDevel::Peek', '-I', 'lib', 'server.pl', '-e']],
      ['deno', ['run', '-A', 'server.ts']],
      ['awk', ['-f', 'server.awk']],
      ['find', ['/srv', '-name', '*.json', '-exec', 'node', 'check.js', '{}', ';']],
      // a sed script without `e`, and interpreters given a script file whose own options follow it
      ['sed', ['-n', 'p', 'in.txt']],
      ['sed', ['-i.bak', 's/[/]/e/g;a run e', 'in.txt']],
      ['sed', ['-f', 'filter.sed', 'in.txt']],
      ['lua', ['server.lua', '-e', 'x']],
      ['Rscript', ['server.R', '-e', 'x']],
      ['R', ['--no-save', '-f', 'server.R', '--args', '-e', 'x']],
      ['julia', ['--project', 'server.jl', '-e', 'x']],
      ['osascript', ['server.scpt', '-e']],
      ['expect', ['-f', 'server.exp', 'host', '-c']],
      ['python3', ['-mcProfile', 'server.py', '-c', 'x']],
      ['perl', ['-MList::Util=sum,max', '-d:NYTProf', 'server.pl']],
      ['npx', ['--node-options', '--max-old-space-size=4096', '-y', 'pkg']],
      ['env', ['-S', 'node "my server.js"']],
      // perl's glued values, with switches after whitespace that run no code; -V:name prints a setting
      ['perl', ['-i.bak', 'server.pl']],
      ['perl', ['-i.orig -w', 'server.pl']],
      ['perl', ['-F, -an', 'server.pl']],
      ['perl', ['-CSDA', '-Dx', 'server.pl']],
      ['perl', ['-V:version']],
      // wrappers given values for their options, running an ordinary program
      ['unshare', ['--propagation', 'private', 'node', 'server.js']],
      ['unshare', ['-rm', '--setgroups', 'deny', '--map-user=1000', 'node', 'server.js']],
      ['prlimit', ['--nofile=1024', '-n1024', '-o', 'RESOURCE', 'node', 'server.js']],
      ['chrt', ['-T', '1000', '-P', '1000', '--deadline', '0', 'node', 'server.js']],
      ['doas', ['-a', 'passwd', 'node', 'server.js']],
      ['setpriv', ['--reuid', '1000', '--regid', '1000', '--init-groups', 'node', 'server.js']],
      ['timeout', ['60', 'npx', '-y', 'pkg']],
      // a shell among the arguments of what a wrapper runs, not right after it, is that program's business
      ['env', ['docker', 'run', '-i', 'img', 'sh', '-c', 'node server.js']],
      // after --args, R's launcher reads nothing: CMD there is R's argument; Rscript's script ends its own options
      ['R', ['--no-save', '-f', 'server.R', '--args', 'CMD', 'sh', '-c', 'x']],
      ['Rscript', ['--verbose', 'server.R', '--debugger=x']],
      // gdb given its commands in a file (as interpreters their script), a program after --args that is no shell
      ['gdb', ['-batch', '-x', 'run.gdb', './server']],
      ['gdb', ['-batch', '-e', './server', '-x', 'run.gdb']],
      ['gdb', ['-batch', '-x', 'run.gdb', '--args', 'node', 'server.js', '-ex', 'x']],
      // git settings that hold no command (or name a program run as such), and other subcommands' -x/-u/-O
      ['git', ['-c', 'user.name=x', '-c', 'color.pager=false', '-c', 'core.hooksPath=/srv/hooks', 'log']],
      ['git', ['-c', 'gpg.program=gpg2', 'commit', '-S']],
      ['git', ['clone', '-c', 'user.name=x', '--depth', '1', '/srv/repo']],
      ['git', ['clean', '-x']],
      ['git', ['cherry-pick', '-x', 'HEAD']],
      ['git', ['add', '-u']],
      ['git', ['submodule', 'update', '--init']],
      // make with plain variables and options; vim given a line number or script file; emacs given Lisp files
      ['make', ['serve', 'PORT=8080']],
      ['make', ['-C', '/srv/app', '-j4', '-f', 'server.mk', 'serve']],
      ['vim', ['+42', 'file.txt']],
      ['vim', ['-es', '-u', 'NONE', '-S', 'script.vim']],
      ['emacs', ['--batch', '-l', 'server.el', '-f', 'main']],
      ['emacs', ['--script', 'server.el']],
      // wrappers running an ordinary program, strace writing to a file, systemd-run with plain properties
      ['bwrap', ['--ro-bind', '/usr', '/usr', '--dev', '/dev', 'node', 'server.js']],
      ['nsenter', ['-t', '1', '-n', 'node', 'server.js']],
      ['strace', ['-f', '-o', 'trace.log', 'node', 'server.js']],
      ['systemd-run', ['--user', '--pipe', '-p', 'MemoryMax=1G', 'node', 'server.js']],
      ['xvfb-run', ['-a', 'node', 'server.js']],
      ['valgrind', ['--leak-check=full', 'node', 'server.js']],
      ['tini', ['--', 'node', 'server.js']],
      ['dumb-init', ['-c', 'node', 'server.js']],
      ['runuser', ['-u', 'mcp', '--', 'node', 'server.js']],
      // common launchers of MCP servers
      ['docker', ['run', '-i', '--rm', 'mcp/fetch']],
      ['podman', ['run', '-i', '--rm', 'mcp/fetch']],
      ['python', ['-m', 'mcp_server_fetch']],
      ['deno', ['run', '--allow-net', 'server.ts']],
      ['bun', ['run', 'server.ts']],
      ['java', ['-jar', 'server.jar']],
    ] as const) {
      expect(parseConfig(configWith(command, [...args]), 'toolscope.json').servers.tools).toMatchObject({ command });
    }
    // options from the environment that load a file, as a script file would be
    for (const [command, args, env] of [
      ['node', ['server.js'], { NODE_OPTIONS: '--require ./preload.js --import=./loader.mjs --max-old-space-size=4096' }],
      ['perl', ['server.pl'], { PERL5OPT: '-Mstrict -w' }],
      ['node', ['server.js'], { MAKEFLAGS: '-j4 --no-print-directory' }],
    ] as const) {
      expect(parseConfig(configWith(command, [...args], { env }), 'toolscope.json').servers.tools).toMatchObject({ command, env });
    }
  });

  it('`toolscope add` and `import` refuse a shell command line', async () => {
    const dir = await tempDir();
    try {
      const config = join(dir.path, 'toolscope.json');
      const refused = await runCli(['--config', config, 'add', 'wrapped', '--', 'sh', '-c', 'npx -y mcp-server-postgres']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/runs a shell \("sh"\)/);
      const npxCall = await runCli(['--config', config, 'add', 's3', '--', 'npx', '-c', 'id > /tmp/x; echo $HOME >> /tmp/x']);
      expect(npxCall.code).toBe(1);
      expect(npxCall.stderr).toContain('servers.s3.command: runs a shell ("npx -c")');
      const inlineCode = await runCli(['--config', config, 'add', 'py', '--', 'env', 'nice', 'python3', '-c', 'import os; os.system("id")']);
      expect(inlineCode.code).toBe(1);
      expect(inlineCode.stderr).toMatch(/servers\.py\.command: runs code written on its command line \("python3 -c"\).*put the code in a file/);
      await expect(readFile(config, 'utf8')).rejects.toThrow(/ENOENT/);

      const desktop = join(dir.path, 'claude_desktop_config.json');
      await writeFile(desktop, JSON.stringify({
        mcpServers: {
          wrapped: { command: 'bash', args: ['-c', 'npx -y x'] },
          called: { command: 'npx', args: ['-c', 'echo $(cat /etc/hostname) > /tmp/x'] },
        },
      }));
      const imported = await runCli(['--config', config, 'import', desktop]);
      expect(imported.stdout).toMatch(/refused "wrapped":\n {2}- mcpServers\.wrapped\.command: runs a shell \("bash"\)/);
      expect(imported.stdout).toMatch(/refused "called":\n {2}- mcpServers\.called\.command: runs a shell \("npx -c"\)/);

      // A config written by hand is refused when loaded: `list` starts nothing.
      const marker = join(dir.path, 'ran');
      await writeFile(config, JSON.stringify({ servers: { s3: { command: 'npx', args: ['-c', `touch ${marker}`] } } }));
      const listed = await runCli(['--config', config, 'list']);
      expect(listed.code).not.toBe(0);
      expect(listed.stderr).toContain('servers.s3.command: runs a shell ("npx -c")');
      await expect(readFile(marker, 'utf8')).rejects.toThrow(/ENOENT/);
    } finally {
      await dir.remove();
    }
  });
});
