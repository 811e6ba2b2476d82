// Queries for the captured npm reference servers (filesystem, memory, postgres, everything), whose
// descriptions we did not write: they test the router on tools as they really ship.
import { queryGroup } from './define.js';

const tags = ['reference-server'] as const;

export const referenceDirectQueries = queryGroup({ prefix: 'reference-direct', category: 'direct', tags }, [
  ['read the text file /data/notes/todo.md', 'filesystem__read_text_file'],
  ['list the directory /data/projects', 'filesystem__list_directory'],
  ['create the directory /data/exports/2024', 'filesystem__create_directory'],
  ['search the knowledge graph memory for nodes about "Acme"', 'memory__search_nodes'],
  ['run the SQL query SELECT count(*) FROM users on the postgres database', 'postgres__query'],
  ['echo back the message "ping"', 'everything__echo'],
  ['add 17 and 25 with the get-sum tool', 'everything__get-sum'],
]);

export const referenceParaphraseQueries = queryGroup({ prefix: 'reference-paraphrase', category: 'paraphrase', tags }, [
  ['what\'s in the last 20 lines of /data/logs/app.log?', 'filesystem__read_text_file'],
  ['show me the photo /data/img/cat.png', 'filesystem__read_media_file'],
  ['compare config/dev.json and config/prod.json side by side - load both', 'filesystem__read_multiple_files'],
  ['save this summary as /data/reports/summary.md', 'filesystem__write_file'],
  ['in /data/app/config.ini replace the line port=8080 with port=9090', 'filesystem__edit_file'],
  ['rename /data/draft.txt to /data/final.txt', 'filesystem__move_file'],
  ['where are all the *.csv files under /data?', 'filesystem__search_files'],
  ['give me the whole folder structure of /data/site as a tree, skip node_modules', 'filesystem__directory_tree'],
  ['which folders am I even allowed to touch on disk?', 'filesystem__list_allowed_directories'],
  ['when was /data/report.pdf last modified and how big is it', 'filesystem__get_file_info'],
  ['what are the biggest files in /data/downloads', 'filesystem__list_directory_with_sizes'],
  ['remember that Alice is the tech lead on project Phoenix', 'memory__create_entities'],
  ['note that Alice now prefers async standups', 'memory__add_observations'],
  ['record that Bob reports to Alice', 'memory__create_relations'],
  ['what do you remember about everyone? dump it all', 'memory__read_graph'],
  ['pull up what you know about Alice and Bob specifically', 'memory__open_nodes'],
  ['how many paying customers signed up per month this year? the data is in postgres', 'postgres__query'],
  ['compress this text into a gzip file I can download', 'everything__gzip-file-as-resource'],
  ['what env vars does the mcp server see? debugging config', 'everything__get-env'],
  ['give me a tiny test image', 'everything__get-tiny-image'],
  ['start a long running test operation of 10 seconds with 5 steps so I can watch the progress', 'everything__trigger-long-running-operation'],
  ['turn the random fake log messages on', 'everything__toggle-simulated-logging'],
]);

export const referenceNearMissQueries = queryGroup({ prefix: 'reference-near-miss', category: 'near-miss', tags }, [
  ['forget that Alice prefers async standups, but keep everything else about her', 'memory__delete_observations', 'delete-vs-archive'],
  ['forget Alice entirely', 'memory__delete_entities', 'delete-vs-archive'],
  ['Bob no longer reports to Alice, remove that link', 'memory__delete_relations', 'delete-vs-archive'],
  ['read /data/notes/todo.md from the local disk, not dropbox or drive', 'filesystem__read_text_file', 'cross-service'],
  ['find files named *invoice* on the local filesystem under /data', 'filesystem__search_files', 'cross-service'],
  ['show me the folder /data/projects on this machine', 'filesystem__list_directory', 'cross-service'],
  ['overwrite /data/config.yaml with the new settings', 'filesystem__write_file', 'read-vs-write'],
  ['show me /data/config.yaml', 'filesystem__read_text_file', 'read-vs-write'],
]);

export const referenceMultiToolQueries = queryGroup({ prefix: 'reference-multi', category: 'multi-tool', tags }, [
  ['find all the markdown files under /data/docs and read them together', ['filesystem__search_files', 'filesystem__read_multiple_files']],
  ['make a folder /data/archive/2023 and move last year\'s report.pdf into it', ['filesystem__create_directory', 'filesystem__move_file']],
  ['query the postgres orders table for yesterday\'s totals and write them to /data/reports/daily.csv', ['postgres__query', 'filesystem__write_file']],
  ['look up what you remember about the Phoenix project and add that it shipped today', ['memory__search_nodes', 'memory__add_observations']],
  ['read the team roster from /data/team.md and remember each person in the knowledge graph', ['filesystem__read_text_file', 'memory__create_entities']],
]);
