// Modelled on ckreiling/mcp-server-docker (Python): containers, images, networks, volumes.
import { bool, defineServer, int, list, record, str, tool } from '../dsl.js';

const container = { container_id: str('Container ID or name') };

export default defineServer({
  name: 'docker',
  openWorld: false,
  schemaStyle: 'pydantic',
  tools: [
    tool('list_containers', 'read', 'List all Docker containers', { all: bool('Show all containers (default shows just running)', { default: false }), filters: record('Filter dictionary, e.g. {"status": ["exited"]}') }),
    tool('create_container', 'create', 'Create a new Docker container', { image: str('Docker image name'), name: str('Container name'), ports: record('A dictionary of name:port mappings, e.g. {"8080/tcp": 8080}'), environment: record('Environment variables dictionary'), volumes: list({ type: 'string' }, 'Volume mappings, e.g. ["/host:/container"]'), detach: bool('Run in the background', { default: true }) }, ['image']),
    tool('run_container', 'execute', 'Run an image in a new Docker container (docker run)', { image: str('Docker image name'), name: str('Container name'), command: str('Command to run'), ports: record('Port mappings'), environment: record('Environment variables') }, ['image']),
    tool('start_container', 'update', 'Start a Docker container', container, ['container_id']),
    tool('stop_container', 'update', 'Stop a Docker container', container, ['container_id']),
    tool('remove_container', 'delete', 'Remove a Docker container', { ...container, force: bool('Force remove the container', { default: false }) }, ['container_id']),
    tool('fetch_container_logs', 'read', 'Fetch logs for a Docker container', { ...container, tail: { anyOf: [{ type: 'integer' }, { type: 'string', enum: ['all'] }], description: 'Number of lines to show from the end', default: 100 } }, ['container_id']),
    tool('recreate_container', 'update', 'Stop and remove a container, then run a new container. Fails if the container does not exist.', { ...container, image: str('Docker image name') }, ['container_id', 'image']),
    tool('list_images', 'read', 'List Docker images', { name: str('Only show images belonging to the repository name'), all: bool('Show intermediate image layers', { default: false }) }),
    tool('pull_image', 'create', 'Pull a Docker image', { repository: str('Image repository'), tag: str('Image tag', { default: 'latest' }) }, ['repository']),
    tool('build_image', 'create', 'Build a Docker image from a Dockerfile', { path: str('Path to the build context'), tag: str('Image tag'), dockerfile: str('Path to Dockerfile') }, ['path', 'tag']),
    tool('remove_image', 'delete', 'Remove a Docker image', { image: str('Image ID or name'), force: bool('Force remove the image', { default: false }) }, ['image']),
    tool('list_networks', 'read', 'List Docker networks', { filters: record('Network filters') }),
    tool('list_volumes', 'read', 'List Docker volumes', {}),
    tool('remove_volume', 'delete', 'Remove a Docker volume', { volume_name: str('Volume name'), force: bool('Force remove the volume', { default: false }) }, ['volume_name']),
    tool('get_container_stats', 'read', 'Get a resource usage snapshot (CPU, memory, network I/O) for a Docker container', { ...container, stream: bool('Keep streaming stats', { default: false }) }, ['container_id']),
    tool('exec_in_container', 'execute', 'Run a command inside a running container (docker exec)', { ...container, command: str('Command to run'), workdir: str('Working directory inside the container') }, ['container_id', 'command']),
    tool('compose_up', 'execute', 'Start the services of a Docker Compose project (docker compose up -d)', { project_dir: str('Directory containing compose.yaml'), services: list({ type: 'string' }, 'Only these services') }, ['project_dir']),
    tool('system_prune', 'delete', 'Remove stopped containers, unused networks, dangling images and build cache', { volumes: bool('Also prune anonymous volumes', { default: false }) }),
  ],
});
