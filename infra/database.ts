// The network and the data: a VPC (or an existing one), PostgreSQL 16 on RDS (or an existing
// database's secret), and the Focus API credentials secret (or an existing one).
import { Duration, RemovalPolicy, Validations, type Stack } from 'aws-cdk-lib';
import { FlowLogDestination, InstanceType, IpAddresses, SecurityGroup, SubnetType, Vpc, type ISecurityGroup, type IVpc } from 'aws-cdk-lib/aws-ec2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CaCertificate, Credentials, DatabaseInstance, DatabaseInstanceEngine, ParameterGroup, PostgresEngineVersion, StorageType } from 'aws-cdk-lib/aws-rds';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { API_SECRET_PLACEHOLDER } from '../functions/core/config.ts';
import type { Settings } from './context.ts';

export const DATABASE_NAME = 'focus';
export const DATABASE_USER = 'focus_sync';

export function createVpc(stack: Stack, settings: Settings): IVpc {
  if (settings.vpcId) return Vpc.fromLookup(stack, 'Vpc', { vpcId: settings.vpcId });
  const vpc = new Vpc(stack, 'Vpc', {
    ipAddresses: IpAddresses.cidr('10.42.0.0/16'),
    maxAzs: 2,
    // One NAT gateway: the functions reach the Focus API and AWS APIs through it. A second one
    // would only matter while an AZ is down, and the next scheduled run repairs what it missed.
    natGateways: 1,
    subnetConfiguration: [
      { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
      { name: 'functions', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
      { name: 'database', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
    ],
  });
  const flowLogs = new LogGroup(stack, 'VpcFlowLogs', { retention: RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  vpc.addFlowLog('FlowLog', { destination: FlowLogDestination.toCloudWatchLogs(flowLogs) });
  return vpc;
}

export interface Database {
  secret: ISecret;
  /** The security group of the functions that use the database; the only one it admits. */
  clients: ISecurityGroup;
  instance: DatabaseInstance | undefined;
}

export function createDatabase(stack: Stack, settings: Settings, vpc: IVpc): Database {
  const clients = new SecurityGroup(stack, 'DatabaseClients', { vpc, description: 'focus-sync functions that use the database', allowAllOutbound: true });
  if (settings.databaseSecretArn) {
    return { secret: Secret.fromSecretCompleteArn(stack, 'DatabaseSecret', settings.databaseSecretArn), clients, instance: undefined };
  }
  const engine = DatabaseInstanceEngine.postgres({ version: PostgresEngineVersion.VER_16 });
  const instance = new DatabaseInstance(stack, 'Database', {
    engine,
    instanceType: new InstanceType(settings.databaseInstanceType),
    vpc,
    vpcSubnets: { subnetType: vpc.isolatedSubnets.length > 0 ? SubnetType.PRIVATE_ISOLATED : SubnetType.PRIVATE_WITH_EGRESS },
    publiclyAccessible: false,
    credentials: Credentials.fromGeneratedSecret(DATABASE_USER),
    databaseName: DATABASE_NAME,
    parameterGroup: new ParameterGroup(stack, 'DatabaseParameters', { engine, parameters: { 'rds.force_ssl': '1' } }),
    caCertificate: CaCertificate.RDS_CA_RSA2048_G1,
    storageType: StorageType.GP3,
    allocatedStorage: 20,
    maxAllocatedStorage: 200,
    storageEncrypted: true,
    multiAz: settings.multiAz,
    backupRetention: Duration.days(7),
    deletionProtection: true,
    removalPolicy: RemovalPolicy.SNAPSHOT,
    autoMinorVersionUpgrade: true,
  });
  instance.connections.allowDefaultPortFrom(clients, 'focus-sync functions that use the database');
  acknowledgeDatabase(instance, settings);
  return { secret: instance.secret!, clients, instance };
}

/** The Focus API credentials: created with a placeholder for the operator to replace, or imported. */
export function createApiSecret(stack: Stack, settings: Settings): ISecret {
  if (settings.apiSecret?.startsWith('arn:')) return Secret.fromSecretCompleteArn(stack, 'ApiCredentials', settings.apiSecret);
  if (settings.apiSecret) return Secret.fromSecretNameV2(stack, 'ApiCredentials', settings.apiSecret);
  const secret = new Secret(stack, 'ApiCredentials', {
    description: `focus-sync: the Focus API credentials as JSON {"username": "…", "password": "…"}. The username "${API_SECRET_PLACEHOLDER}" marks the placeholder the stack created; the sync refuses it until real credentials are stored.`,
    // A random password under a placeholder username: nothing usable is ever in the template.
    generateSecretString: { secretStringTemplate: JSON.stringify({ username: API_SECRET_PLACEHOLDER }), generateStringKey: 'password', excludePunctuation: true },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'The Focus API credentials are issued by the vendor; AWS cannot rotate them. The operator replaces them in this secret when the vendor does, and the functions read them afresh when the API refuses the cached ones.',
  });
  return secret;
}

function acknowledgeDatabase(instance: DatabaseInstance, settings: Settings): void {
  Validations.of(instance).acknowledge({
    id: 'AwsSolutions-RDS11',
    reason: 'The database is in isolated subnets and its security group admits only the functions that use it; a non-default port would hide nothing from them and adds configuration to every client.',
  });
  if (!settings.multiAz) {
    Validations.of(instance).acknowledge({
      id: 'AwsSolutions-RDS3',
      reason: 'Single-AZ by default: the mirror can always be rebuilt from the Focus API (mode full), backups are kept 7 days, and Multi-AZ doubles the cost. Deploy with -c multiAz=true where a standby is wanted.',
    });
  }
  // The generated secret is a child of the instance construct.
  Validations.of(instance).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'Rotation is left off: the functions read the password at run time and again after a login failure, but a rotation in the middle of a run would fail that run\'s pairs. The secret is readable only by the roles of the functions that use the database; rotate between runs where policy requires it.',
  });
}
