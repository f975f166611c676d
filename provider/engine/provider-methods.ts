/**
 * The methods of every serialized provider. Pulumi stores each resource's provider in its state twice, as the
 * text of a module; because this module's exports object is the provider's prototype, an installed package is
 * written there as one `require` of this file plus the resource name (about 300 bytes), not as seven functions.
 * State names this path from now on, so it stays. Each method requires the composition root (`provider/host`)
 * itself because, run from source rather than node_modules, Pulumi copies these functions into state by value.
 */
import type * as pulumi from "@pulumi/pulumi";

interface HostedProvider {
  readonly resourceName: string;
}

type Verbs = Required<Omit<pulumi.dynamic.ResourceProvider, "configure">>;

export = {
  async configure(this: HostedProvider, req: pulumi.dynamic.ConfigureRequest): Promise<void> {
    require("pulumi-pgbeam/dist/provider/host").configure(req.config, this.resourceName);
  },
  check(this: HostedProvider, olds: unknown, news: unknown) {
    return require("pulumi-pgbeam/dist/provider/host").lifecycle(this.resourceName).check(olds, news);
  },
  diff(this: HostedProvider, id: string, olds: unknown, news: unknown) {
    return require("pulumi-pgbeam/dist/provider/host").lifecycle(this.resourceName).diff(id, olds, news);
  },
  create(this: HostedProvider, inputs: unknown) {
    return require("pulumi-pgbeam/dist/provider/host").lifecycle(this.resourceName).create(inputs);
  },
  read(this: HostedProvider, id: string, props: unknown) {
    return require("pulumi-pgbeam/dist/provider/host").lifecycle(this.resourceName).read(id, props);
  },
  update(this: HostedProvider, id: string, olds: unknown, news: unknown) {
    return require("pulumi-pgbeam/dist/provider/host").lifecycle(this.resourceName).update(id, olds, news);
  },
  delete(this: HostedProvider, id: string, props: unknown) {
    return require("pulumi-pgbeam/dist/provider/host").lifecycle(this.resourceName).delete(id, props);
  },
} satisfies Verbs & Pick<pulumi.dynamic.ResourceProvider, "configure">;
