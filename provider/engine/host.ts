/**
 * Permanent re-export: the serialized providers in existing stacks' state `require` this path
 * (`pulumi-pgbeam/dist/provider/engine/host`), so it must keep working for as long as such state exists. New
 * state names `dist/provider/host`, the composition root. This is the one engine module that reaches outside it.
 */
export { client, configure, lifecycle } from "../host";
